package io.sei.p2p.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CRDs as the build generated them say what Kubernetes' own schemas say of integers and quantities. */
class GeneratedCrdTest {

  @ParameterizedTest
  @ValueSource(strings = {"seinodes.sei.io", "seinodedeployments.sei.io"})
  void everyIntegerHasItsFormatAndEveryQuantityItsPattern(String crd) throws Exception {
    JSONSchemaProps root = load(crd).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> integers = new ArrayList<>();
    List<String> quantities = new ArrayList<>();
    walk(root, "", (path, schema) -> {
      if ("integer".equals(schema.getType())) {
        integers.add(path + " " + schema.getFormat());
      }
      if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
        quantities.add(path + " " + schema.getPattern());
      }
    });

    assertThat(integers).isNotEmpty().allMatch(f -> f.endsWith(" int32") || f.endsWith(" int64"));
    assertThat(integers).contains(".status.observedGeneration int64");
    assertThat(quantities).isNotEmpty()
        .allMatch(q -> q.contains(".resources.") && q.endsWith(" " + KubernetesFormats.QUANTITY_PATTERN));
  }

  @Test
  void theQuantityPatternTakesWhatKubernetesTakes() {
    assertThat("250m").matches(KubernetesFormats.QUANTITY_PATTERN);
    assertThat("1.5Gi").matches(KubernetesFormats.QUANTITY_PATTERN);
    assertThat("2e3").matches(KubernetesFormats.QUANTITY_PATTERN);
    assertThat("lots").doesNotMatch(KubernetesFormats.QUANTITY_PATTERN);
    assertThat("1GB").doesNotMatch(KubernetesFormats.QUANTITY_PATTERN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"seinodes.sei.io", "seinodedeployments.sei.io"})
  void everySecretAndClaimNameTakesWhatKubernetesTakes(String crd) throws Exception {
    JSONSchemaProps root = load(crd).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> names = new ArrayList<>();
    walk(root, "", (path, schema) -> {
      if (path.endsWith(".secretName") || path.endsWith(".pvcName")) {
        names.add(path + " " + schema.getMaxLength() + " " + schema.getPattern());
      }
    });

    assertThat(names).hasSize(5)
        .allMatch(name -> name.endsWith(" 253 " + KubernetesFormats.OBJECT_NAME_PATTERN));
  }

  @Test
  void theObjectNamePatternIsADnsSubdomain() {
    // apimachinery's IsDNS1123Subdomain: labels of [a-z0-9-] joined by dots, each starting and ending alphanumeric
    assertThat("validator-0.node-key").matches(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("a.b.c").matches(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("0key").matches(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("Key").doesNotMatch(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("node_key").doesNotMatch(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("a..b").doesNotMatch(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("a.-b").doesNotMatch(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat(".a").doesNotMatch(KubernetesFormats.OBJECT_NAME_PATTERN);
    assertThat("a.").doesNotMatch(KubernetesFormats.OBJECT_NAME_PATTERN);
  }

  private static CustomResourceDefinition load(String name) throws Exception {
    try (InputStream in = GeneratedCrdTest.class.getResourceAsStream("/META-INF/fabric8/" + name + "-v1.yml")) {
      assertThat(in).as(name + " generated").isNotNull();
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  /** Every schema below {@code schema} but the branches of an anyOf, which Kubernetes' schemas leave bare too. */
  private static void walk(JSONSchemaProps schema, String path, BiConsumer<String, JSONSchemaProps> visit) {
    visit.accept(path, schema);
    for (Map.Entry<String, JSONSchemaProps> property : schema.getProperties().entrySet()) {
      walk(property.getValue(), path + "." + property.getKey(), visit);
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      walk(schema.getItems().getSchema(), path + "[]", visit);
    }
    if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
      walk(schema.getAdditionalProperties().getSchema(), path + ".*", visit);
    }
  }
}
