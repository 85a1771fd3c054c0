package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.validation.StatefulSetGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each outcome of a node's config and StatefulSet, from its objects in memory: no apiserver, no pods. */
class WorkloadTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final String ADDRESS = "nlb.example.com:26656";
  private static final String PEER_ID = "ab".repeat(20);
  private static final ControllerConfig CONFIG = ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
      "SEI_GENESIS", "pacific-1=configmap:genesis", "SEI_PEER_SETTLE_SECONDS", "60", "SEI_PEER_UPDATE_SECONDS", "15"));
  private static final SeiNodeStatus NEW = new SeiNodeStatus(null, null, null, null, null, List.of());

  private final SeiNode node = PublisherTest.node("networking: {tcp: {}}");
  private final MemoryStore store = new MemoryStore(node);
  private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
  private final List<String> events = new ArrayList<>();

  @Test
  void aChainWithoutAGenesisSourceNeverStartsAndSaysSoOnce() {
    Workload workload = workload(ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16")));

    Workload.Outcome first = workload.converge(node, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW);
    Workload.Outcome again = workload.converge(node, status(first), first.conditions(), true, ADDRESS, peers(1, 0),
        NOW);

    assertThat(first.statefulSet()).isNull();
    assertThat(reason(first, ConditionType.DATA_READY)).isEqualTo("NoGenesisSource");
    assertThat(reason(first, ConditionType.PEERS_RESOLVED)).isEqualTo("NotStarted");
    assertThat(store.writes).isEmpty();
    assertThat(claims).as("no paid volume for a node that cannot start").isEmpty();
    assertThat(again.conditions()).isEqualTo(first.conditions());
    assertThat(events).containsExactly("Warning NoGenesisSource");
  }

  @Test
  void aNodeNotYetPublishedMakesNothing() {
    Workload.Outcome outcome = workload(CONFIG).converge(node, NEW, List.of(), false, null, peers(1, 0), NOW);

    assertThat(outcome.statefulSet()).isNull();
    assertThat(reason(outcome, ConditionType.PEERS_RESOLVED)).isEqualTo("NotStarted");
    assertThat(store.writes).isEmpty();
    assertThat(claims).isEmpty();
  }

  @Test
  void anImportedClaimThatDoesNotExistHoldsTheStartAndIsLookedAtAgain() {
    SeiNode importing = PublisherTest.node("networking: {tcp: {}}\n  dataVolume: {import: {pvcName: synced}}");

    Workload.Outcome outcome = new Workload(CONFIG, store, new NodeData(claims()), events())
        .converge(importing, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW);

    assertThat(outcome.statefulSet()).isNull();
    assertThat(reason(outcome, ConditionType.DATA_READY)).isEqualTo("ClaimMissing");
    assertThat(outcome.recheck()).isEqualTo(Duration.ofSeconds(30));
    assertThat(claims).as("an imported claim is never created").isEmpty();
  }

  @Test
  void theFirstStartWaitsForSelectedPeersToPublishUpToTheSettleTime() {
    Workload.Outcome waiting = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(1, 2), NOW);

    assertThat(waiting.statefulSet()).isNull();
    assertThat(reason(waiting, ConditionType.PEERS_RESOLVED)).isEqualTo("WaitingForPeers");
    assertThat(waiting.recheck()).isEqualTo(Duration.ofSeconds(60));

    Workload.Outcome settled = workload(CONFIG).converge(node, status(waiting), waiting.conditions(), true, ADDRESS,
        peers(1, 2), NOW.plusSeconds(61));
    assertThat(settled.statefulSet()).as("started without the peers that never published").isNotNull();
  }

  @Test
  void theFirstStartWritesTheConfigThenTheStatefulSetWithThePeersItStartsWith() {
    Workload.Outcome outcome = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(2, 0), NOW);

    assertThat(store.writes).containsExactly("create ConfigMap rpc-0-config", "create StatefulSet rpc-0");
    assertThat(claims).containsOnlyKeys("rpc-0-data");
    assertThat(outcome.resolvedPeers()).containsExactly("p0.example.com:26656", "p1.example.com:26656");
    assertThat(outcome.statefulSet().getMetadata().getAnnotations())
        .containsEntry(WellKnown.ANNOTATION_PEERS_AT_START, "2");
    assertThat(store.get(ConfigMap.class, "rpc-0-config").getData().toString()).contains(PEER_ID + "@p1.example.com");
    assertThat(reason(outcome, ConditionType.PEERS_RESOLVED)).isEqualTo("Resolved");
    assertThat(reason(outcome, ConditionType.DATA_READY)).isEqualTo("ClaimAvailable");
    assertThat(outcome.recheck()).isNull();
  }

  @Test
  void aStatefulSetTheGateStillHoldsIsTriedAgainSoonAndAnyOtherRefusalFailsTheStep() {
    store.refusing(StatefulSet.class, new KubernetesClientException("admission webhook denied the request: "
        + StatefulSetGate.WAITING_FOR_ADDRESS, 403, null));

    Workload.Outcome held = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW);

    assertThat(held.statefulSet()).isNull();
    assertThat(held.recheck()).isEqualTo(Duration.ofSeconds(5));

    MemoryStore refused = new MemoryStore(node).refusing(StatefulSet.class,
        new KubernetesClientException("exceeded quota", 403, null));
    Workload workload = new Workload(CONFIG, refused, new NodeData(claims()), events());
    StepFailed failed = catchThrowableOfType(StepFailed.class,
        () -> workload.converge(node, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW));
    assertThat(failed.reason()).isEqualTo("StatefulSetApplyFailed");
  }

  @Test
  void aRunningNodeWithNothingNewCostsNoWrite() {
    Workload.Outcome started = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(2, 0), NOW);
    store.writes.clear();

    Workload.Outcome idle = workload(CONFIG).converge(node, status(started), started.conditions(), true, ADDRESS,
        peers(2, 0), NOW.plusSeconds(600));

    assertThat(store.writes).isEmpty();
    assertThat(idle.conditions()).isEqualTo(started.conditions());
    assertThat(idle.resolvedPeers()).isEqualTo(started.resolvedPeers());
  }

  @Test
  void aPeerThatPublishesLaterReachesTheConfigSpacedAndNeverRestartsThePod() {
    Workload.Outcome started = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW);
    String template = template();
    store.writes.clear();

    Workload.Outcome soon = workload(CONFIG).converge(node, status(started), started.conditions(), true, ADDRESS,
        peers(2, 0), NOW.plusSeconds(5));
    assertThat(store.writes).as("within the spacing: nothing yet").isEmpty();
    assertThat(soon.resolvedPeers()).hasSize(1);
    assertThat(soon.recheck()).isEqualTo(Duration.ofSeconds(10));

    Workload.Outcome later = workload(CONFIG).converge(node, status(soon), soon.conditions(), true, ADDRESS,
        peers(2, 0), NOW.plusSeconds(15));
    assertThat(store.writes).containsExactly("update ConfigMap rpc-0-config");
    assertThat(later.resolvedPeers()).hasSize(2);
    assertThat(template()).as("the pod template, so the pod, is unchanged").isEqualTo(template);
    assertThat(Conditions.find(later.conditions(), ConditionType.PEERS_RESOLVED).getMessage())
        .isEqualTo("2 peers; the running pod started with 1 (newer peers connect from their side and through peer "
            + "exchange)");
  }

  @Test
  void anEc2SourceNotAnsweredYetKeepsThePeersTheConfigHas() {
    Workload.Outcome started = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(2, 0), NOW);
    store.writes.clear();
    Peers.Resolution pending = new Peers.Resolution(List.of(), List.of(), 0, List.of(), List.of(), true);

    Workload.Outcome kept = workload(CONFIG).converge(node, status(started), started.conditions(), true, ADDRESS,
        pending, NOW.plusSeconds(600));

    assertThat(store.writes).isEmpty();
    assertThat(kept.resolvedPeers()).isEqualTo(started.resolvedPeers());
  }

  @Test
  void aNewAddressRestartsThePodOnceWithEveryPeer() {
    Workload.Outcome started = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW);
    store.writes.clear();

    Workload.Outcome moved = workload(CONFIG).converge(node, status(started), started.conditions(), true,
        "new-nlb.example.com:26656", peers(3, 0), NOW.plusSeconds(600));

    assertThat(store.writes).containsExactly("update ConfigMap rpc-0-config", "update StatefulSet rpc-0");
    assertThat(moved.statefulSet().getMetadata().getAnnotations())
        .containsEntry(WellKnown.ANNOTATION_PEERS_AT_START, "3");
  }

  @Test
  void aHomeThePodRefusesIsReportedOnceAndClearsWhenAPodPreparesIt() {
    Workload.Outcome started = workload(CONFIG).converge(node, NEW, List.of(), true, ADDRESS, peers(1, 0), NOW);
    store.with(pod(1, "sei-p2p: cannot prepare seid's home /sei: it holds another node's key"));

    Workload.Outcome refused = workload(CONFIG).converge(node, status(started), started.conditions(), true, ADDRESS,
        peers(1, 0), NOW.plusSeconds(60));
    assertThat(reason(refused, ConditionType.DATA_READY)).isEqualTo("HomeRejected");
    assertThat(Conditions.find(refused.conditions(), ConditionType.DATA_READY).getMessage())
        .isEqualTo("the pod refuses seid's home: sei-p2p: cannot prepare seid's home /sei: it holds another node's key");
    workload(CONFIG).converge(node, status(refused), refused.conditions(), true, ADDRESS, peers(1, 0),
        NOW.plusSeconds(70));
    assertThat(events).containsExactly("Warning HomeRejected");

    store.with(pod(0, ""));
    Workload.Outcome prepared = workload(CONFIG).converge(node, status(refused), refused.conditions(), true, ADDRESS,
        peers(1, 0), NOW.plusSeconds(120));
    assertThat(reason(prepared, ConditionType.DATA_READY)).isEqualTo("HomePrepared");
  }

  private static Pod pod(int exitCode, String message) {
    return new PodBuilder().withNewMetadata().withName("rpc-0-0").withNamespace("ns").endMetadata()
        .withNewStatus().addNewInitContainerStatus().withName(NodeObjects.PREPARE_CONTAINER).withNewState()
        .withNewTerminated().withExitCode(exitCode).withMessage(message).endTerminated().endState()
        .endInitContainerStatus().endStatus().build();
  }

  private Workload workload(ControllerConfig config) {
    return new Workload(config, store, new NodeData(claims()), events());
  }

  private NodeData.Claims claims() {
    return new NodeData.Claims() {
      @Override
      public PersistentVolumeClaim read(String namespace, String name) {
        return claims.get(name);
      }

      @Override
      public PersistentVolumeClaim createIfAbsent(PersistentVolumeClaim claim) {
        return claims.putIfAbsent(claim.getMetadata().getName(), claim) == null ? claim : null;
      }
    };
  }

  private Events events() {
    return new Events() {
      @Override
      public void normal(HasMetadata about, String reason, String message) {
        events.add("Normal " + reason);
      }

      @Override
      public void warning(HasMetadata about, String reason, String message) {
        events.add("Warning " + reason);
      }
    };
  }

  /** {@code count} published peers, and {@code awaiting} selected ones not published yet. */
  private static Peers.Resolution peers(int count, int awaiting) {
    List<String> hostPorts = new ArrayList<>();
    List<String> persistent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      hostPorts.add("p" + i + ".example.com:26656");
      persistent.add(PEER_ID + "@p" + i + ".example.com:26656");
    }
    return new Peers.Resolution(hostPorts, persistent, awaiting, List.of(), List.of(), false);
  }

  private static SeiNodeStatus status(Workload.Outcome outcome) {
    return new SeiNodeStatus(ADDRESS, null, outcome.resolvedPeers(), null, 1L, outcome.conditions());
  }

  private static String reason(Workload.Outcome outcome, String type) {
    Condition condition = Conditions.find(outcome.conditions(), type);
    return condition == null ? null : condition.getReason();
  }

  private String template() {
    return store.get(StatefulSet.class, "rpc-0").getSpec().getTemplate().toString();
  }
}
