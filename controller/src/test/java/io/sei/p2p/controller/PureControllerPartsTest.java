package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller's parts that decide without the API: failure reports, and what the caches keep. */
class PureControllerPartsTest {

  @Test
  void aChildsPodIsKeptOnlyAsItsReadinessWhichIsTheKubeletsReadyCondition() {
    Pod pod = new PodBuilder().withNewMetadata().withName("fleet-0-0").addNewManagedField().withManager("kubelet")
        .endManagedField().endMetadata().withNewSpec().addNewContainer().withName("seid").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP("10.0.0.9")
        .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();

    Pod kept = Slim.readiness(pod);

    assertThat(kept.getSpec()).isNull();
    assertThat(kept.getMetadata().getManagedFields()).isNull();
    assertThat(kept.getStatus().getPodIP()).isNull();
    assertThat(kept.getStatus().getConditions()).singleElement()
        .satisfies(c -> assertThat(c.getType()).isEqualTo("Ready"));
    assertThat(Slim.ready(kept)).isTrue();
    kept.getStatus().getConditions().get(0).setStatus("False");
    assertThat(Slim.ready(kept)).as("Ready=False").isFalse();
    assertThat(Slim.ready(Slim.readiness(new PodBuilder().withNewMetadata().withName("new").endMetadata().build())))
        .as("no status yet").isFalse();
    assertThat(Slim.ready(null)).as("no pod yet").isFalse();
  }

  @Test
  void aHomeThePodRefusedIsReadFromItsPreparationsLastFailureAndSurvivesTheCache() {
    String log = "seid's settings merged into config.toml\nsei-p2p: cannot prepare seid's home /sei: it is not ours";

    Pod waiting = withPreparation("""
        {"name": "config", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 1, "message": %s}}}""".formatted(quoted(log)));
    Pod failedNow = withPreparation("""
        {"name": "config", "state": {"terminated": {"exitCode": 2}}}""");
    Pod recovered = withPreparation("""
        {"name": "config", "state": {"terminated": {"exitCode": 0}},
         "lastState": {"terminated": {"exitCode": 1, "message": "old"}}}""");
    Pod otherContainer = withPreparation("""
        {"name": "seid-init", "state": {"terminated": {"exitCode": 1, "message": "not the preparation"}}}""");

    assertThat(Workload.homeRejection(waiting)).isEqualTo("sei-p2p: cannot prepare seid's home /sei: it is not ours");
    assertThat(Workload.homeRejection(Slim.pod(waiting))).as("what the cache keeps")
        .isEqualTo("sei-p2p: cannot prepare seid's home /sei: it is not ours");
    assertThat(Workload.homeRejection(failedNow)).isEqualTo("exit code 2");
    assertThat(Workload.homeRejection(recovered)).isNull();
    assertThat(Workload.homePrepared(recovered)).isTrue();
    assertThat(Workload.homePrepared(Slim.pod(recovered))).as("what the cache keeps").isTrue();
    assertThat(Workload.homePrepared(waiting)).isFalse();
    assertThat(Workload.homePrepared(failedNow)).isFalse();
    assertThat(Workload.homeRejection(otherContainer)).isNull();
    assertThat(Workload.homeRejection(new PodBuilder().withNewMetadata().withName("n-0").endMetadata().build()))
        .isNull();
  }

  private static Pod withPreparation(String initContainerStatus) {
    return new io.fabric8.kubernetes.client.utils.KubernetesSerialization().unmarshal("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "n-0", "namespace": "ns"},
         "spec": {"containers": [{"name": "seid", "image": "seid"}]},
         "status": {"phase": "Pending", "podIP": "10.0.0.5", "initContainerStatuses": [%s]}}"""
        .formatted(initContainerStatus), Pod.class);
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\n", "\\n") + "\"";
  }

  @Test
  void aFailedStepIsReportedWithItsReasonAndTheApiserversWordsOnceUntilItChanges() {
    SeiNode node = node();
    KubernetesClientException quota = new KubernetesClientException(new StatusBuilder().withCode(403)
        .withMessage("services \"n-p2p\" is forbidden: exceeded quota").build());
    StepFailed failed = assertThrowsStep(() -> StepFailed.during("ServiceApplyFailed", () -> {
      throw quota;
    }));
    assertThat(failed.reason()).isEqualTo("ServiceApplyFailed");
    assertThat(failed.getMessage()).isEqualTo("services \"n-p2p\" is forbidden: exceeded quota");

    try (var client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("https://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build()) {
      ControllerMetrics metrics = new ControllerMetrics();
      Events events = new ClusterEvents(client, metrics);
      List<Condition> first = Synced.afterFailure(node, List.of(), failed, events);
      assertThat(Conditions.find(first, ConditionType.SYNCED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("ServiceApplyFailed");
        assertThat(c.getObservedGeneration()).isEqualTo(4L);
      });
      assertThat(warnings(metrics)).as("a new failure: one Warning Event").isEqualTo(1);
      assertThat(Synced.afterFailure(node, first, failed, events)).as("the same failure again: no status write")
          .isNull();
      assertThat(warnings(metrics)).as("the same failure again: no Event").isEqualTo(1);

      StepFailed sameReasonOtherWords = StepFailed.of("ServiceApplyFailed", new KubernetesClientException("timeout"));
      assertThat(sameReasonOtherWords.getMessage()).as("no Status from the apiserver: the client's own words")
          .isEqualTo("timeout");
      List<Condition> reworded = Synced.afterFailure(node, first, sameReasonOtherWords, events);
      assertThat(Conditions.find(reworded, ConditionType.SYNCED).getMessage()).isEqualTo("timeout");
      assertThat(warnings(metrics)).as("the same step failing for another cause is news").isEqualTo(2);

      List<Condition> other = Synced.afterFailure(node, reworded, new IllegalStateException(), events);
      assertThat(Conditions.find(other, ConditionType.SYNCED)).satisfies(c -> {
        assertThat(c.getReason()).isEqualTo("ReconcileFailed");
        assertThat(c.getMessage()).as("a failure without a message is named by its type")
            .isEqualTo("IllegalStateException");
      });
      assertThat(warnings(metrics)).isEqualTo(3);

      List<Condition> healed = Synced.completed(other, 4L, Instant.now());
      assertThat(Conditions.find(healed, ConditionType.SYNCED).getStatus()).isEqualTo("True");
      Synced.afterFailure(node, healed, failed, events);
      assertThat(warnings(metrics)).as("failing again after a success is news").isEqualTo(4);
    }
  }

  private static double warnings(ControllerMetrics metrics) {
    var counter = metrics.registry().find("sei_controller_writes").tags("kind", "Event", "verb", "create").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aNameConflictSaysWhoHoldsTheObjectAndWhatToDo() {
    var foreign = new ConfigMapBuilder().withNewMetadata().withName("n-config").withNamespace("ns")
        .addNewOwnerReference().withKind("SeiNodeDeployment").withName("other").withController(true).endOwnerReference()
        .endMetadata().build();

    StepFailed conflict = StepFailed.nameConflict(foreign, StepFailed.controllerOf(foreign), "SeiNode", "n");

    assertThat(conflict.reason()).isEqualTo("NameConflict");
    assertThat(conflict.getMessage()).isEqualTo("ConfigMap ns/n-config already exists and is controlled by "
        + "SeiNodeDeployment other, so SeiNode n leaves it untouched; rename or delete it to let n proceed");
    assertThat(StepFailed.controllerOf(new ConfigMapBuilder().withNewMetadata().endMetadata().build()))
        .isEqualTo("is not controlled by any owner");
    assertThat(StepFailed.controllerOf(new ConfigMapBuilder().withNewMetadata().addNewOwnerReference()
        .withKind("SeiNodeDeployment").withName("other").endOwnerReference().endMetadata().build()))
        .as("an owner that is not the controller").isEqualTo("is not controlled by any owner");
  }

  @Test
  void cachesKeepWhatTheControllerReadsAndNothingElse() {
    SeiNode peer = node();
    peer.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl").build()));
    peer.getMetadata().setAnnotations(new HashMap<>(Map.of(
        "kubectl.kubernetes.io/last-applied-configuration", "{...}", "team", "a")));
    peer.setStatus(new SeiNodeStatus("x.elb:26656", "ab".repeat(20), List.of("many", "peers"), null, 4L,
        List.of(new Condition())));

    SeiNode slim = Slim.peer(peer);
    assertThat(slim.getMetadata().getManagedFields()).isNull();
    assertThat(slim.getMetadata().getAnnotations()).containsExactly(Map.entry("team", "a"));
    assertThat(slim.getStatus()).isEqualTo(new SeiNodeStatus("x.elb:26656", "ab".repeat(20), null, null, 4L, null));

    Pod pod = Slim.pod(new PodBuilder().withNewMetadata().withName("n-0").endMetadata().withNewSpec()
        .addNewContainer().withName("seid").endContainer().endSpec().withNewStatus().withPhase("Running")
        .withPodIP("10.0.128.7").withHostIP("10.0.250.1").endStatus().build());
    assertThat(pod.getSpec()).isNull();
    assertThat(pod.getStatus().getPodIP()).isEqualTo("10.0.128.7");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(pod.getStatus().getHostIP()).isNull();

    StatefulSet statefulSet = Slim.statefulSet(new StatefulSetBuilder().withNewMetadata().withName("n").endMetadata()
        .withNewSpec().withReplicas(1).endSpec().withNewStatus().withReplicas(1).endStatus().build());
    assertThat(statefulSet.getStatus()).isNull();
    assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(1);
  }

  private static SeiNode node() {
    SeiNode node = new SeiNode();
    node.setMetadata(new ObjectMetaBuilder().withName("n").withNamespace("ns").withUid("u").withGeneration(4L)
        .build());
    return node;
  }

  private static StepFailed assertThrowsStep(Runnable action) {
    try {
      action.run();
    } catch (StepFailed failed) {
      return failed;
    }
    throw new AssertionError("no StepFailed thrown");
  }
}
