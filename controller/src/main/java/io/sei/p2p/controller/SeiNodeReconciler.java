package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.validation.FieldProblem;
import io.sei.p2p.validation.NodeValidation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Per node: identity, headless Service, the NLB Service and published address ({@link Publisher}), resolved peers,
 * and the config and StatefulSet ({@link Workload}), held until the address exists and resolves.
 */
public final class SeiNodeReconciler implements Reconciler<SeiNode> {

  private final ControllerConfig config;
  private final ControllerMetrics metrics;
  private final Dns dns;
  private PeerGraph peerGraph;

  SeiNodeReconciler(ControllerConfig config, ControllerMetrics metrics, Dns dns) {
    this.config = config;
    this.metrics = metrics;
    this.dns = dns;
  }

  @Override
  public List<EventSource<?, SeiNode>> prepareEventSources(EventSourceContext<SeiNode> context) {
    peerGraph = new PeerGraph(context, new AwsEc2(config.ec2Endpoint()), config.ec2Refresh());
    List<EventSource<?, SeiNode>> sources = new ArrayList<>(List.of(
        labelled(context, Service.class, null, Slim::withoutBookkeeping),
        labelled(context, ConfigMap.class, null, Slim::withoutBookkeeping),
        // the StatefulSet controller updates status often; only what this controller wrote matters here
        labelled(context, StatefulSet.class, (now, before) -> !Objects.equals(now.getMetadata().getGeneration(),
            before.getMetadata().getGeneration()) || !Objects.equals(now.getMetadata().getAnnotations(),
            before.getMetadata().getAnnotations()) || now.getMetadata().getDeletionTimestamp() != null,
            Slim::statefulSet),
        // the pod IP is checked against SEI_VPC_CIDR, and a home the pod refused, or prepared after that, is reported
        // (on KWOK's nodes a pod's IP and its completed preparation arrive together)
        labelled(context, Pod.class, (now, before) -> !Objects.equals(podIp(now), podIp(before))
            || !Objects.equals(Workload.homeRejection(now), Workload.homeRejection(before))
            || Workload.homePrepared(now) != Workload.homePrepared(before), Slim::pod)));
    sources.addAll(peerGraph.eventSources());
    return sources;
  }

  @Override
  public UpdateControl<SeiNode> reconcile(SeiNode node, Context<SeiNode> context) {
    return metrics.reconcile("SeiNode", () -> converge(node, context));
  }

  /** A failed step: {@code Synced=False} with its reason, a Warning Event once per distinct failure, and a retry. */
  @Override
  public ErrorStatusUpdateControl<SeiNode> updateErrorStatus(SeiNode node, Context<SeiNode> context, Exception e) {
    SeiNodeStatus old = statusOf(node);
    List<Condition> conditions = Synced.afterFailure(node, old.conditions(), e,
        new ClusterEvents(context.getClient(), metrics));
    if (conditions == null) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    metrics.wrote("SeiNode", "patch-status");
    SeiNodeStatus status = new SeiNodeStatus(old.externalAddress(), old.nodeId(), old.resolvedPeers(),
        old.statefulSet(), old.observedGeneration(), conditions);
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(new SeiNode(), node, status));
  }

  private UpdateControl<SeiNode> converge(SeiNode node, Context<SeiNode> context) {
    Instant now = Instant.now();
    SeiNodeStatus old = statusOf(node);
    Long generation = node.getMetadata().getGeneration();
    Events events = new ClusterEvents(context.getClient(), metrics);
    List<FieldProblem> problems = NodeValidation.problems(node);
    List<Condition> judged = Validity.judged(old.conditions(), problems, generation, now);
    if (!problems.isEmpty()) {
      // nothing is made for what the webhook would refuse; what exists is left as it is, and the status says why
      List<Condition> conditions = Synced.completed(judged, generation, now);
      Validity.announce(node, old.conditions(), conditions, events);
      writeStatus(node, old, new SeiNodeStatus(old.externalAddress(), old.nodeId(), old.resolvedPeers(),
          old.statefulSet(), generation, conditions), context);
      return UpdateControl.noUpdate();
    }
    Owned<SeiNode> owned = new Owned<>(node, context, new Apply(context.getClient(), metrics));

    String nodeId = new Identity(context.getClient(), metrics).nodeId(node, old.nodeId());
    StepFailed.during(ConditionReason.SERVICE_APPLY_FAILED, () -> owned.ensure(NodeObjects.headlessService(node)));
    boolean started = owned.get(StatefulSet.class, node.getMetadata().getName()) != null;
    Publisher.Outcome publication = new Publisher(config, owned, dns).publish(node, old, started, now);
    Peers.Resolution peers = Peers.resolve(node.getMetadata().getName(), node.getMetadata().getNamespace(),
        node.getSpec().peersOrEmpty(), peerGraph);
    Workload.Outcome workload = new Workload(config, owned,
        new NodeData(NodeData.Claims.of(context.getClient(), metrics)), events)
        .converge(node, old, publication.conditions(judged, node, now), publication.mayStart(), publication.address(),
            peers, now);

    List<Condition> conditions = Synced.completed(workload.conditions(), generation, now);
    StatefulSet statefulSet = workload.statefulSet();
    SeiNodeStatus status = new SeiNodeStatus(publication.address(), nodeId,
        workload.resolvedPeers() == null || workload.resolvedPeers().isEmpty() ? null : workload.resolvedPeers(),
        statefulSet == null ? old.statefulSet()
            : new SeiNodeStatus.StatefulSetRef(statefulSet.getMetadata().getName(), statefulSet.getMetadata().getUid()),
        generation, conditions);
    publication.announce(events, node, old.conditions(), conditions);
    writeStatus(node, old, status, context);
    Duration recheck = Stream.of(publication.recheck(), workload.recheck()).filter(Objects::nonNull)
        .min(Duration::compareTo).orElse(null);
    UpdateControl<SeiNode> control = UpdateControl.noUpdate();
    return recheck == null ? control : control.rescheduleAfter(recheck);
  }

  private void writeStatus(SeiNode node, SeiNodeStatus old, SeiNodeStatus status, Context<SeiNode> context) {
    if (!status.equals(old)) {
      metrics.wrote("SeiNode", "patch-status");
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(node, StatusPatch.of(new SeiNode(), node, status),
          context);
    }
  }

  private static SeiNodeStatus statusOf(SeiNode node) {
    return node.getStatus() == null ? new SeiNodeStatus(null, null, null, null, null, List.of()) : node.getStatus();
  }

  /**
   * The node's objects are found by their {@code sei.io/node} label, whoever controls them, and read by name (so the
   * event source keeps no index from node to objects); {@code keep} says what the cache keeps of each.
   */
  private static <R extends HasMetadata> InformerEventSource<R, SeiNode> labelled(EventSourceContext<SeiNode> context,
      Class<R> type, OnUpdateFilter<R> matters, UnaryOperator<R> keep) {
    InformerEventSourceConfiguration.Builder<R> builder = InformerEventSourceConfiguration.from(type, SeiNode.class)
        .withLabelSelector(WellKnown.LABEL_NODE)
        .withSecondaryToPrimaryMapper(object -> Set.of(new ResourceID(
            object.getMetadata().getLabels().get(WellKnown.LABEL_NODE), object.getMetadata().getNamespace())))
        .withPrimaryToSecondaryMapper(node -> Set.of())
        .withItemStore(Slim.store(keep));
    if (matters != null) {
      builder.withOnUpdateFilter(matters);
    }
    return new InformerEventSource<>(builder.build(), context);
  }

  private static String podIp(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
  }
}
