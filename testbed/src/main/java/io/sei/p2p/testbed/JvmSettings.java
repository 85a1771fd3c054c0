package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.model.WellKnown;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process's JVM settings as its image starts it, for the processes the testbed starts itself: the module's
 * {@code jvm.options} (which the image's entrypoint reads) and, standing in for the container's cgroup limit,
 * {@code -XX:MaxRAM} set to the memory limit of its container in {@code manifests/base}.
 */
public final class JvmSettings {

  private JvmSettings() {
  }

  public static List<String> webhook(KubernetesClient client) {
    return of(client, "webhook", WellKnown.WEBHOOK_NAME);
  }

  public static List<String> controller(KubernetesClient client) {
    return of(client, "controller", WellKnown.CONTROLLER_NAME);
  }

  /** The memory limit of {@code container} in {@code manifests/base/<container>.yaml}, in bytes. */
  static long memoryLimit(KubernetesClient client, String container, String deployment) {
    Path manifest = RepoRoot.find().resolve("manifests/base/" + container + ".yaml");
    try (InputStream in = Files.newInputStream(manifest)) {
      for (HasMetadata object : client.load(in).items()) {
        if (object instanceof Deployment found && deployment.equals(found.getMetadata().getName())) {
          Container spec = found.getSpec().getTemplate().getSpec().getContainers().stream()
              .filter(c -> c.getName().equals(container)).findFirst().orElseThrow();
          Quantity limit = spec.getResources().getLimits().get("memory");
          return limit.getNumericalAmount().longValueExact();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(manifest + " has no Deployment " + deployment + " with a container " + container);
  }

  private static List<String> of(KubernetesClient client, String module, String deployment) {
    return List.of("@" + RepoRoot.find().resolve(module + "/jvm.options"),
        "-XX:MaxRAM=" + memoryLimit(client, module, deployment));
  }
}
