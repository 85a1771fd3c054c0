package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.SeiNodeDeploymentSpec;
import io.sei.p2p.model.SeiNodeDeploymentStatus;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.DeploymentChildren;
import io.sei.p2p.validation.DeploymentValidation;
import io.sei.p2p.validation.FieldProblem;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A SeiNodeDeployment's children: created, kept equal to the template (networking included), removed on
 * scale-down, released instead of deleted under {@code deletionPolicy: Retain}; and the deployment's status.
 *
 * <p>Only a Retain deployment carries {@link #FINALIZER}: under Delete its children go with it by their owner
 * references, and a finalizer would only keep it (and its CRD, on uninstall) from going once the controller is gone.
 * JOSDK puts a finalizer on every object of a {@code Cleaner}, so this reconciler runs on all events (see
 * {@link Controller}) and keeps the finalizer itself.
 */
public final class SeiNodeDeploymentReconciler implements Reconciler<SeiNodeDeployment> {

  /** The name JOSDK gave it, so that a deployment made by an earlier version is still released from it. */
  public static final String FINALIZER = "seinodedeployments.sei.io/finalizer";

  private final ControllerMetrics metrics;
  private InformerEventSource<Pod, SeiNodeDeployment> pods;

  public SeiNodeDeploymentReconciler(ControllerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, SeiNodeDeployment>> prepareEventSources(EventSourceContext<SeiNodeDeployment> context) {
    SecondaryToPrimaryMapper<SeiNode> owners = Mappers.fromOwnerReferences(SeiNodeDeployment.class);
    InformerEventSource<SeiNode, SeiNodeDeployment> children = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(SeiNode.class, SeiNodeDeployment.class)
            .withLabelSelector(WellKnown.LABEL_NODE_DEPLOYMENT)
            .withSecondaryToPrimaryMapper(owners)
            .withItemStore(Slim.store(Slim::peer))
            .build(), context);
    // readyReplicas counts Ready pods; a pod reaches its deployment through its node (pods carry only sei.io/node, and
    // a label added to the pod template would restart every child)
    this.pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, SeiNodeDeployment.class)
        .withName("child-pods")
        .withLabelSelector(WellKnown.LABEL_NODE)
        .withSecondaryToPrimaryMapper(pod -> children.get(new ResourceID(
                pod.getMetadata().getLabels().get(WellKnown.LABEL_NODE), pod.getMetadata().getNamespace()))
            .map(owners::toPrimaryResourceIDs)
            .orElse(Set.of()))
        .withPrimaryToSecondaryMapper(deployment -> Set.of()) // read by name
        .withOnUpdateFilter((now, before) -> Slim.ready(now) != Slim.ready(before))
        .withItemStore(Slim.store(Slim::readiness))
        .build(), context);
    return List.of(children, pods);
  }

  @Override
  public UpdateControl<SeiNodeDeployment> reconcile(SeiNodeDeployment deployment, Context<SeiNodeDeployment> context) {
    return metrics.reconcile("SeiNodeDeployment", () -> converge(deployment, context));
  }

  /** A failed step (e.g. a same-named SeiNode it does not control): {@code Synced=False}, a Warning Event, a retry. */
  @Override
  public ErrorStatusUpdateControl<SeiNodeDeployment> updateErrorStatus(SeiNodeDeployment deployment,
      Context<SeiNodeDeployment> context, Exception e) {
    SeiNodeDeploymentStatus old = statusOf(deployment);
    List<Condition> conditions = Synced.afterFailure(deployment, old.conditions(), e,
        new ClusterEvents(context.getClient(), metrics));
    if (conditions == null) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    metrics.wrote("SeiNodeDeployment", "patch-status");
    SeiNodeDeploymentStatus status = new SeiNodeDeploymentStatus(old.observedGeneration(), old.replicas(),
        old.readyReplicas(), old.publishedReplicas(), old.nodes(), conditions);
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(new SeiNodeDeployment(), deployment, status));
  }

  private UpdateControl<SeiNodeDeployment> converge(SeiNodeDeployment current,
      Context<SeiNodeDeployment> context) {
    if (context.isPrimaryResourceDeleted()) {
      return UpdateControl.noUpdate();
    }
    boolean retain = current.getSpec().deletionPolicyOrDefault() == SeiNodeDeploymentSpec.DeletionPolicy.Retain;
    if (current.isMarkedForDeletion()) {
      if (current.hasFinalizer(FINALIZER)) {
        if (retain) {
          release(current, context);
        }
        metrics.wrote("SeiNodeDeployment", "remove-finalizer");
        PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), current, FINALIZER);
      }
      return UpdateControl.noUpdate();
    }
    SeiNodeDeployment deployment = current;
    if (retain && !current.hasFinalizer(FINALIZER)) {
      // before any child exists, so that none is deleted with a deployment the controller has not yet seen as Retain
      metrics.wrote("SeiNodeDeployment", "add-finalizer");
      deployment = PrimaryUpdateAndCacheUtils.addFinalizer(context.getClient(), current, FINALIZER);
    } else if (!retain && current.hasFinalizer(FINALIZER)) {
      metrics.wrote("SeiNodeDeployment", "remove-finalizer");
      deployment = PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), current, FINALIZER);
    }
    Instant now = Instant.now();
    Long generation = deployment.getMetadata().getGeneration();
    SeiNodeDeploymentStatus old = statusOf(deployment);
    List<FieldProblem> problems = DeploymentValidation.problems(deployment);
    List<Condition> judged = Validity.judged(old.conditions(), problems, generation, now);
    if (!problems.isEmpty()) {
      // no child is made or deleted for what the webhook would refuse, and the status says why
      List<Condition> conditions = Synced.completed(judged, generation, now);
      Validity.announce(deployment, old.conditions(), conditions, new ClusterEvents(context.getClient(), metrics));
      writeStatus(deployment, new SeiNodeDeploymentStatus(generation, old.replicas(),
          old.readyReplicas(), old.publishedReplicas(), old.nodes(), conditions), context);
      return UpdateControl.noUpdate();
    }
    Owned<SeiNodeDeployment> owned = new Owned<>(deployment, context, new Apply(context.getClient(), metrics));
    Map<String, SeiNode> existing = children(deployment, context).stream()
        .collect(Collectors.toMap(child -> child.getMetadata().getName(), Function.identity()));
    List<SeiNode> desired = DeploymentChildren.desired(deployment);
    Set<String> wanted = desired.stream().map(child -> child.getMetadata().getName()).collect(Collectors.toSet());
    for (SeiNode child : desired) {
      StepFailed.during(ConditionReason.SEI_NODE_APPLY_FAILED, () -> owned.ensure(child));
    }
    // scale-down: their Services and StatefulSets follow through owner references
    existing.values().stream()
        .filter(child -> !wanted.contains(child.getMetadata().getName())
            && child.getMetadata().getDeletionTimestamp() == null)
        .forEach(child -> StepFailed.during(ConditionReason.SEI_NODE_DELETE_FAILED, () -> owned.delete(child)));

    writeStatus(deployment, status(deployment, existing, wanted, judged, now), context);
    return UpdateControl.noUpdate();
  }

  private void writeStatus(SeiNodeDeployment deployment, SeiNodeDeploymentStatus status,
      Context<SeiNodeDeployment> context) {
    if (!status.equals(deployment.getStatus())) {
      metrics.wrote("SeiNodeDeployment", "patch-status");
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(deployment,
          StatusPatch.of(new SeiNodeDeployment(), deployment, status), context);
    }
  }

  private static SeiNodeDeploymentStatus statusOf(SeiNodeDeployment deployment) {
    return deployment.getStatus() == null ? new SeiNodeDeploymentStatus(null, null, null, null, null, List.of())
        : deployment.getStatus();
  }

  /** Retain: release the children (remove our owner reference) so that garbage collection leaves them. */
  private void release(SeiNodeDeployment deployment, Context<SeiNodeDeployment> context) {
    for (SeiNode child : children(deployment, context)) {
      metrics.wrote("SeiNode", "release");
      context.getClient().resource(child).edit(released -> {
        List<OwnerReference> others = released.getMetadata().getOwnerReferences().stream()
            .filter(ref -> !ref.getUid().equals(deployment.getMetadata().getUid())).toList();
        released.getMetadata().setOwnerReferences(others);
        return released;
      });
    }
  }

  private static List<SeiNode> children(SeiNodeDeployment deployment, Context<SeiNodeDeployment> context) {
    return context.getSecondaryResources(SeiNode.class).stream()
        .filter(child -> Apply.isOwnedBy(child, deployment)).toList();
  }

  private SeiNodeDeploymentStatus status(SeiNodeDeployment deployment, Map<String, SeiNode> existing,
      Set<String> wanted, List<Condition> judged, Instant now) {
    List<SeiNode> current = existing.values().stream()
        .filter(child -> wanted.contains(child.getMetadata().getName()))
        .sorted(Comparator.comparing(child -> child.getMetadata().getName())).toList();
    int ready = (int) current.stream().filter(child -> Slim.ready(pods.get(new ResourceID(
        WellKnown.podName(child.getMetadata().getName()), child.getMetadata().getNamespace())).orElse(null))).count();
    List<SeiNodeDeploymentStatus.NodeStatus> nodes = current.stream()
        .map(child -> new SeiNodeDeploymentStatus.NodeStatus(child.getMetadata().getName(),
            child.getStatus() == null ? null : child.getStatus().externalAddress()))
        .toList();
    int published = (int) nodes.stream().filter(node -> node.externalAddress() != null).count();
    return new SeiNodeDeploymentStatus(deployment.getMetadata().getGeneration(), wanted.size(), ready, published,
        nodes, Synced.completed(judged, deployment.getMetadata().getGeneration(), now));
  }
}
