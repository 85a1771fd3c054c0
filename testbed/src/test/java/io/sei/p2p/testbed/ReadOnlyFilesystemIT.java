package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.SeiNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Deployments run both processes with a read-only root filesystem and no writable /tmp: each must start and serve
 * with an unwritable {@code java.io.tmpdir} and {@code HOME}.
 */
@ExtendWith(ControlPlaneExtension.class)
class ReadOnlyFilesystemIT {

  // /dev/null is a file: no folder can be made under it, not even by root (these tests may run as root)
  private static final List<String> UNWRITABLE_TMPDIR = List.of("-Djava.io.tmpdir=/dev/null/tmp");
  private static final Map<String, String> UNWRITABLE_HOME = Map.of("HOME", "/dev/null/home");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void theWebhookAndTheControllerStartAndServeWithoutAWritableTmpdirOrHome(ControlPlane plane) throws Exception {
    String ns = plane.newNamespace("read-only");
    try (LocalSystem system = LocalSystem.install(plane)) {
      Map<String, String> webhookEnv = new HashMap<>(LocalSystem.VPC);
      webhookEnv.putAll(UNWRITABLE_HOME);
      system.startWebhook("webhook", webhookEnv, ns, UNWRITABLE_TMPDIR); // returns once /readyz answers 200
      Map<String, String> controllerEnv = new HashMap<>(UNWRITABLE_HOME);
      controllerEnv.put("SEI_WATCH_NAMESPACES", ns);
      system.startController(controllerEnv, UNWRITABLE_TMPDIR);

      // and they serve: the webhook defaults a legacy node, the controller starts it
      Await.until("the webhook answers", WAIT, () -> plane.kubectl().runWithInput(
          Manifests.fullNode("legacy", "networking: {}"), "-n", ns, "apply", "-f", "-").succeeded());
      SeiNode stored = plane.client().resources(SeiNode.class).inNamespace(ns).withName("legacy").get();
      assertThat(stored.getSpec().networking().http()).as("defaulted to http by the webhook").isNotNull();
      Await.until("started by the controller", WAIT,
          () -> plane.client().apps().statefulSets().inNamespace(ns).withName("legacy").get() != null);
    }
  }
}
