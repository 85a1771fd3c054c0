package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Installs the CRDs generated from the model (the same files as manifests/crds) and waits until served. */
public final class Crds {

  private static final List<Class<? extends HasMetadata>> KINDS = List.of(SeiNode.class, SeiNodeDeployment.class);

  private Crds() {
  }

  public static void install(KubernetesClient client) {
    for (Class<? extends HasMetadata> kind : KINDS) {
      String name = HasMetadata.getFullResourceName(kind);
      CustomResourceDefinition crd = load(name);
      client.resource(crd).forceConflicts().serverSideApply();
      client.apiextensions().v1().customResourceDefinitions().withName(name)
          .waitUntilCondition(Crds::established, 30, TimeUnit.SECONDS);
    }
  }

  /** The generated CRD, as the build wrote it into the shared-model jar. */
  public static CustomResourceDefinition load(String fullResourceName) {
    String resource = "/META-INF/fabric8/" + fullResourceName + "-v1.yml";
    try (InputStream in = SeiNode.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the generated CRD " + resource + " is not on the classpath; build shared-model");
      }
      return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
