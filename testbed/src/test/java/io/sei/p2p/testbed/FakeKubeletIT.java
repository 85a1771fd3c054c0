package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * KWOK stands in for kubelets, so pod restarts counted in tests and benchmarks are only real if KWOK removes pods
 * the way a kubelet does: the pod being deleted, never a successor with the same name.
 */
@ExtendWith(ControlPlaneExtension.class)
class FakeKubeletIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ControlPlane plane;

  @BeforeAll
  static void useControlPlane(ControlPlane controlPlane) {
    plane = controlPlane;
  }

  @Test
  void kwokRemovesOnlyAPodThatIsBeingDeleted() {
    String ns = plane.newNamespace("kubelet");
    KubernetesClient client = plane.client();
    client.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName("p").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("stand-in").endContainer().endSpec()
        .build()).create();
    Await.until("running on a fake node", WAIT, () -> "Running".equals(phase(client.pods().inNamespace(ns)
        .withName("p").get())));

    // what a stale delete job of KWOK's would send for a pod of the same name that is not being deleted
    Kubectl.Result asKwok = plane.kubectl().run("delete", "pod", "p", "-n", ns, "--as=kwok",
        "--as-group=system:masters", "--grace-period=0", "--wait=false");
    assertThat(asKwok.succeeded()).as(asKwok.toString()).isFalse();
    assertThat(asKwok.stderr()).contains("ValidatingAdmissionPolicy 'kwok-deletes-only-terminating-pods'")
        .contains("KWOK removes only pods that are being deleted, as a kubelet does");
    assertThat(client.pods().inNamespace(ns).withName("p").get().getMetadata().getDeletionTimestamp())
        .as("still there, not being deleted").isNull();

    client.pods().inNamespace(ns).withName("p").delete();
    Await.until("removed by KWOK once it is being deleted", WAIT,
        () -> client.pods().inNamespace(ns).withName("p").get() == null);
  }

  private static String phase(Pod pod) {
    return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }
}
