package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.peers.Ec2Peers;
import io.sei.p2p.peers.PeerTiming;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.resources.NodeConfig;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.validation.StatefulSetGate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's config and StatefulSet. The pod starts once: only after its address is published and resolves, and after
 * its selected peers published (or the settle time passed), so that its first start already knows them. Later peer
 * changes update the config without a restart, spaced so that a fleet publishing node by node costs a few writes.
 */
final class Workload {

  /** The webhook's cache may not have seen the published address yet when the StatefulSet is first created. */
  private static final Duration HELD_RECHECK = Duration.ofSeconds(5);
  /** An imported claim appears without an event this controller watches. */
  private static final Duration DATA_RECHECK = Duration.ofSeconds(30);
  /** Enough to name each instance an ec2Tags source leaves out in the usual cases; the count says the rest. */
  private static final int LISTED_PROBLEMS = 10;
  private static final Logger LOG = LoggerFactory.getLogger(Workload.class);

  private final ControllerConfig config;
  private final ObjectStore owned;
  private final NodeData data;
  private final Events events;

  Workload(ControllerConfig config, ObjectStore owned, NodeData data, Events events) {
    this.config = config;
    this.owned = owned;
    this.data = data;
    this.events = events;
  }

  /**
   * @param statefulSet   the StatefulSet (null while held)
   * @param resolvedPeers the peers the node's config holds ({@code status.resolvedPeers})
   * @param conditions    the conditions with {@code PeersResolved} set
   * @param recheck       when to look again without an event (null: events suffice)
   */
  record Outcome(StatefulSet statefulSet, List<String> resolvedPeers, List<Condition> conditions, Duration recheck) {
  }

  Outcome converge(SeiNode node, SeiNodeStatus old, List<Condition> conditions, boolean mayStart,
      String address, Peers.Resolution peers, Instant now) {
    Long generation = node.getMetadata().getGeneration();
    NodeConfig.Rendered wanted = NodeConfig.render(address, peers.persistentPeers(), node.getSpec().overrides());
    conditions = overridesWritten(conditions, wanted, generation, now);
    PodSettings settings = config.podSettings(node);
    StatefulSet running = owned.get(StatefulSet.class, node.getMetadata().getName());
    if (running == null) {
      NodeData.Check genesis = NodeData.genesis(node, settings);
      if (genesis != null) {
        return notStarted(old, dataChecked(node, old, conditions, genesis, generation, now), generation, now, null);
      }
      if (!mayStart) {
        return notStarted(old, conditions, generation, now, null);
      }
      NodeData.Check claim = data.claim(node, settings);
      conditions = dataChecked(node, old, conditions, claim, generation, now);
      if (!claim.mayStart()) {
        return notStarted(old, conditions, generation, now, DATA_RECHECK);
      }
      PeerTiming.Decision start = PeerTiming.firstStart(peers.awaiting(), waitingSince(old.conditions()),
          config.peerSettle(), now);
      if (!start.proceed()) {
        return new Outcome(null, old.resolvedPeers(), Conditions.set(conditions, ConditionType.PEERS_RESOLVED, false,
            ConditionReason.WAITING_FOR_PEERS, "waiting up to " + config.peerSettle().toSeconds() + " s for the "
                + "selected tcp peers to publish, so that the first start knows them", generation, now),
            start.recheck());
      }
      writeConfig(node, wanted, now);
      StatefulSet created = create(node, wanted, settings, peers.resolvedPeers().size());
      return new Outcome(created, peers.resolvedPeers(),
          resolvedWhileRunning(conditions, peers, peers.resolvedPeers().size(), generation, now),
          created == null ? HELD_RECHECK : null);
    }

    ConfigMap written = owned.get(ConfigMap.class, WellKnown.configMapName(node.getMetadata().getName()));
    List<String> configured = peers.resolvedPeers();
    Duration recheck = null;
    if (written != null && wanted.files().equals(written.getData())) {
      StepFailed.during(ConditionReason.CONFIG_MAP_APPLY_FAILED, () -> owned.ensure(NodeObjects.configMap(node, wanted,
          writtenAt(written) == null ? now : writtenAt(written))));
    } else if (written != null && peers.ec2Pending()) {
      // an ec2Tags source EC2 has not answered since this controller started: its peers are unknown, not gone
      configured = old.resolvedPeers() == null ? List.of() : old.resolvedPeers();
    } else {
      PeerTiming.Decision update = written == null ? new PeerTiming.Decision(true, null)
          : PeerTiming.configUpdate(annotation(written, WellKnown.ANNOTATION_CONFIG_HASH), writtenAt(written), wanted,
              config.peerUpdateSpacing(), now);
      if (update.proceed()) {
        writeConfig(node, wanted, now);
      } else {
        configured = old.resolvedPeers() == null ? List.of() : old.resolvedPeers();
        recheck = update.recheck();
      }
    }
    conditions = homeChecked(node, old, conditions, owned.get(Pod.class, WellKnown.podName(node.getMetadata()
        .getName())), generation, now);
    // a new controller release brings a new tools image: a running pod keeps its own until it restarts for a reason
    // of its own, so that an upgrade restarts no node
    PodSettings kept = settings.withToolsImage(NodeObjects.toolsImage(running).orElse(settings.toolsImage()));
    // rendered once as the running pod has it; again only when the pod is to change
    StatefulSet keeping = NodeObjects.statefulSet(node, wanted, kept, peersAtStart(running));
    boolean unchanged = startsTheSame(running, keeping);
    int peersAtStart = unchanged ? peersAtStart(running) : configured.size();
    StatefulSet desired = unchanged ? keeping : NodeObjects.statefulSet(node, wanted, settings, peersAtStart);
    StatefulSet statefulSet = StepFailed.during(ConditionReason.STATEFUL_SET_APPLY_FAILED, () -> owned.ensure(desired));
    return new Outcome(statefulSet, configured,
        resolvedWhileRunning(conditions, peers, peersAtStart, generation, now), recheck);
  }

  /** Whether {@code desired} would leave the running pod as it is (same template, same replicas). */
  private boolean startsTheSame(StatefulSet running, StatefulSet desired) {
    return running.getSpec().getReplicas().equals(desired.getSpec().getReplicas())
        && Apply.covers(running.getSpec().getTemplate(), desired.getSpec().getTemplate());
  }

  private void writeConfig(SeiNode node, NodeConfig.Rendered config, Instant now) {
    StepFailed.during(ConditionReason.CONFIG_MAP_APPLY_FAILED,
        () -> owned.ensure(NodeObjects.configMap(node, config, now)));
  }

  /**
   * The first StatefulSet; null while the admission gate still holds it because its cache has not seen the address
   * yet. Any other denial (the gate failing closed, say) is a failed step the node reports.
   */
  private StatefulSet create(SeiNode node, NodeConfig.Rendered config, PodSettings settings, int peers) {
    try {
      return owned.ensure(NodeObjects.statefulSet(node, config, settings, peers));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403 && String.valueOf(e.getMessage()).contains(StatefulSetGate.WAITING_FOR_ADDRESS)) {
        LOG.debug("StatefulSet {}/{} held by the admission gate; retrying", node.getMetadata().getNamespace(),
            node.getMetadata().getName());
        return null;
      }
      throw StepFailed.of(ConditionReason.STATEFUL_SET_APPLY_FAILED, e);
    }
  }

  /** No StatefulSet yet: the peers are resolved once the node starts. */
  private static Outcome notStarted(SeiNodeStatus old, List<Condition> conditions, Long generation, Instant now,
      Duration recheck) {
    return new Outcome(null, old.resolvedPeers(), Conditions.unknown(conditions, ConditionType.PEERS_RESOLVED,
        ConditionReason.NOT_STARTED, "the peers are resolved when the node starts", generation, now), recheck);
  }

  /** {@code DataReady} as {@code check} says, with a Warning Event when it turns false. */
  private List<Condition> dataChecked(SeiNode node, SeiNodeStatus old, List<Condition> conditions,
      NodeData.Check check, Long generation, Instant now) {
    List<Condition> checked = Conditions.set(conditions, ConditionType.DATA_READY, check.ready(), check.reason(),
        check.message(), generation, now);
    if (Conditions.transitioned(old.conditions(), checked, ConditionType.DATA_READY) && !check.ready()) {
      events.warning(node, check.reason(), check.message());
    }
    return checked;
  }

  /**
   * Why the pod's preparation of seid's home failed, from the {@code config} init container's last termination (its
   * last log line: the entry point's one-line reason); null while it has not failed.
   */
  static String homeRejection(Pod pod) {
    ContainerStatus preparation = preparation(pod);
    if (preparation == null) {
      return null;
    }
    // a failed attempt is the current state, or the last one while the kubelet waits to try again
    ContainerStateTerminated failed = preparation.getState().getWaiting() != null && preparation.getLastState() != null
        ? preparation.getLastState().getTerminated() : preparation.getState().getTerminated();
    if (failed == null || failed.getExitCode() == null || failed.getExitCode() == 0) {
      return null;
    }
    String message = failed.getMessage() == null ? "" : failed.getMessage().strip();
    return message.isEmpty() ? "exit code " + failed.getExitCode() : message.substring(message.lastIndexOf('\n') + 1);
  }

  /** Whether the pod's preparation of seid's home has completed. */
  static boolean homePrepared(Pod pod) {
    ContainerStatus preparation = preparation(pod);
    return preparation != null && preparation.getState().getTerminated() != null
        && Integer.valueOf(0).equals(preparation.getState().getTerminated().getExitCode());
  }

  /** The status of the init container that prepares seid's home, once it has a state; else null. */
  private static ContainerStatus preparation(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
      return null;
    }
    return pod.getStatus().getInitContainerStatuses().stream()
        .filter(container -> NodeObjects.PREPARE_CONTAINER.equals(container.getName()) && container.getState() != null)
        .findFirst().orElse(null);
  }

  /**
   * {@code DataReady=False/HomeRejected} while the running pod refuses its home (another node's key, a malformed
   * file), with a Warning Event; back to true once a pod prepared it.
   */
  private List<Condition> homeChecked(SeiNode node, SeiNodeStatus old, List<Condition> conditions, Pod pod,
      Long generation, Instant now) {
    String rejection = homeRejection(pod);
    Condition data = Conditions.find(conditions, ConditionType.DATA_READY);
    if (rejection != null) {
      return dataChecked(node, old, conditions, new NodeData.Check(false, false, ConditionReason.HOME_REJECTED,
          "the pod refuses seid's home: " + rejection), generation, now);
    }
    if (data != null && ConditionReason.HOME_REJECTED.equals(data.getReason()) && homePrepared(pod)) {
      return Conditions.set(conditions, ConditionType.DATA_READY, true, ConditionReason.HOME_PREPARED,
          "the pod prepared seid's home", generation, now);
    }
    return conditions;
  }

  /** Whether every override reached seid's files; those that did not are listed (the webhook warned of each). */
  private static List<Condition> overridesWritten(List<Condition> conditions, NodeConfig.Rendered config,
      Long generation, Instant now) {
    List<String> unplaced = config.unplaced();
    if (unplaced.isEmpty()) {
      return Conditions.set(conditions, ConditionType.OVERRIDES_WRITTEN, true, ConditionReason.WRITTEN,
          "every override is in seid's files", generation, now);
    }
    return Conditions.set(conditions, ConditionType.OVERRIDES_WRITTEN, false, ConditionReason.NOT_WRITTEN,
        unplaced.size() + " overrides left out: "
            + String.join("; ", unplaced.subList(0, Math.min(LISTED_PROBLEMS, unplaced.size())))
            + (unplaced.size() > LISTED_PROBLEMS ? "; ..." : ""), generation, now);
  }

  private static List<Condition> resolvedWhileRunning(List<Condition> conditions, Peers.Resolution peers,
      int peersAtStart, Long generation, Instant now) {
    int current = peers.resolvedPeers().size();
    return resolved(conditions, peers, generation, now, current + " peers; the running pod started with "
        + (peersAtStart == current ? "all of them" : peersAtStart + " (newer peers connect from their side and "
            + "through peer exchange)"));
  }

  private static List<Condition> resolved(List<Condition> conditions, Peers.Resolution peers, Long generation,
      Instant now, String resolvedMessage) {
    if (!peers.ec2Failures().isEmpty()) {
      boolean denied = peers.ec2Failures().stream().anyMatch(Ec2Peers.Failure::denied);
      return Conditions.set(conditions, ConditionType.PEERS_RESOLVED, false,
          denied ? ConditionReason.EC2_UNAUTHORIZED : ConditionReason.EC2_UNAVAILABLE,
          String.join("; ", peers.ec2Failures().stream().map(Ec2Peers.Failure::message).toList())
              + (peers.ec2Pending() ? "; the config keeps the peers it has until EC2 answers"
                  : "; the instances of EC2's last answer are kept") + " (" + resolvedMessage + ")",
          generation, now);
    }
    if (!peers.rejected().isEmpty()) {
      List<String> listed = peers.rejected().subList(0, Math.min(LISTED_PROBLEMS, peers.rejected().size()));
      return Conditions.set(conditions, ConditionType.PEERS_RESOLVED, false, ConditionReason.INVALID_PEERS,
          peers.rejected().size() + " peers left out: " + String.join("; ", listed)
              + (peers.rejected().size() > LISTED_PROBLEMS ? "; ..." : ""), generation, now);
    }
    return Conditions.set(conditions, ConditionType.PEERS_RESOLVED, true, ConditionReason.RESOLVED,
        resolvedMessage, generation, now);
  }

  private static Instant waitingSince(List<Condition> conditions) {
    Condition peers = Conditions.find(conditions, ConditionType.PEERS_RESOLVED);
    return peers != null && ConditionReason.WAITING_FOR_PEERS.equals(peers.getReason())
        ? Instant.parse(peers.getLastTransitionTime()) : null;
  }

  private static Instant writtenAt(ConfigMap written) {
    String at = annotation(written, WellKnown.ANNOTATION_CONFIG_WRITTEN_AT);
    return at == null ? null : Instant.parse(at);
  }

  private static int peersAtStart(StatefulSet running) {
    String count = annotation(running, WellKnown.ANNOTATION_PEERS_AT_START);
    return count == null ? 0 : Integer.parseInt(count);
  }

  private static String annotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
