package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.model.WellKnown;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** The least-privilege RBAC of manifests/base/rbac.yaml, installed as users install it. */
public final class Rbac {

  public static final String NAMESPACE = WellKnown.INSTALL_NAMESPACE;
  public static final String CONTROLLER = WellKnown.CONTROLLER_NAME;
  public static final String WEBHOOK = WellKnown.WEBHOOK_NAME;

  private Rbac() {
  }

  /** The manifest's objects, unmodified. */
  public static List<HasMetadata> manifest(KubernetesClient client) {
    try (InputStream in = Files.newInputStream(RepoRoot.find().resolve("manifests/base/rbac.yaml"))) {
      return client.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs the manifest (idempotent). */
  public static void install(KubernetesClient client) {
    if (client.namespaces().withName(NAMESPACE).get() == null) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .serverSideApply();
    }
    manifest(client).forEach(object -> client.resource(object).forceConflicts().serverSideApply());
  }

  /** The manifest's leader-election Role and RoleBinding, copied into {@code namespace} (a test's own Lease). */
  public static void grantLeaderElection(KubernetesClient client, String namespace) {
    for (HasMetadata object : manifest(client)) {
      if (object instanceof Role || object instanceof RoleBinding) {
        object.getMetadata().setNamespace(namespace);
        client.resource(object).forceConflicts().serverSideApply();
      }
    }
  }
}
