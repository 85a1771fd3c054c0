package io.sei.p2p.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The Java model reads and writes the wire shape: presence signals as {}, Java keywords as JSON names. */
class ModelJsonTest {

  private final KubernetesSerialization json = new KubernetesSerialization();

  @Test
  void presenceSignalsSerialiseAsEmptyObjectsAndAbsentMembersAreOmitted() {
    assertThat(json.asJson(NetworkingConfig.TCP)).isEqualTo("{\"tcp\":{}}");
    assertThat(json.asJson(NetworkingConfig.HTTP)).isEqualTo("{\"http\":{}}");
    assertThat(json.asJson(new NetworkingConfig(null, null))).isEqualTo("{}");
  }

  @Test
  void readsTheUpstreamShapeIncludingJavaKeywordFields() {
    SeiNode node = json.unmarshal("""
        {"apiVersion":"sei.io/v1alpha1","kind":"SeiNode","metadata":{"name":"a","namespace":"n"},
         "spec":{"chainId":"pacific-1","image":"seid","networking":{},
                 "peers":[{"static":{"addresses":["x@h:1"]}}],
                 "dataVolume":{"import":{"pvcName":"restore"}},
                 "validator":{"nodeKey":{"secret":{"secretName":"keys"}}}}}
        """, SeiNode.class);

    assertThat(node.getSpec().networking().legacyEmpty()).isTrue();
    assertThat(node.getSpec().peers().get(0).staticPeers().addresses()).containsExactly("x@h:1");
    assertThat(node.getSpec().dataVolume().importFrom().pvcName()).isEqualTo("restore");
    assertThat(node.getSpec().validator().nodeKeySecretName()).isEqualTo("keys");
    assertThat(json.asJson(node.getSpec())).contains("\"static\":{").contains("\"import\":{")
        .doesNotContain("staticPeers").doesNotContain("importFrom").doesNotContain("legacyEmpty");
  }

  @Test
  void withNetworkingChangesOnlyNetworking() {
    SeiNodeSpec spec = json.unmarshal("""
        {"chainId":"c","image":"i","podLabels":{"a":"b"},"fullNode":{},"paused":true}
        """, SeiNodeSpec.class);

    SeiNodeSpec changed = spec.withNetworking(NetworkingConfig.TCP);

    assertThat(changed.networking()).isEqualTo(NetworkingConfig.TCP);
    assertThat(changed.withNetworking(null)).isEqualTo(spec);
  }
}
