package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.sei.p2p.model.PeerSource;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.rules.Conditions;
import io.sei.p2p.rules.NodeConfig;
import io.sei.p2p.rules.NodeObjects;
import io.sei.p2p.rules.Peers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per node: identity, headless Service, the NLB Service and published address (via {@link Publisher}), resolved
 * peers and config, and the StatefulSet, held until the address exists and resolves.
 */
public final class SeiNodeReconciler implements Reconciler<SeiNode> {

  static final String PUBLISHED = "Published";
  static final String PEERS_RESOLVED = "PeersResolved";
  private static final Logger LOG = LoggerFactory.getLogger(SeiNodeReconciler.class);
  private static final String PEER_INDEX = "peer-sources";
  private static final String PEER_DEPLOYMENTS = "peer-deployments";
  private static final String PEER_NODES = "peer-nodes";
  private static final Duration HELD_RECHECK = Duration.ofSeconds(5);

  private final ControllerConfig config;
  private final ControllerMetrics metrics;

  public SeiNodeReconciler(ControllerConfig config, ControllerMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, SeiNode>> prepareEventSources(EventSourceContext<SeiNode> context) {
    context.getPrimaryCache().addIndexer(PEER_INDEX, SeiNodeReconciler::peerIndexKeys);
    return List.of(
        owned(context, Service.class), owned(context, ConfigMap.class), owned(context, StatefulSet.class),
        owned(context, Secret.class),
        new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, SeiNode.class)
            .withLabelSelector(WellKnown.LABEL_NODE)
            .withSecondaryToPrimaryMapper(pod -> Set.of(new ResourceID(
                pod.getMetadata().getLabels().get(WellKnown.LABEL_NODE), pod.getMetadata().getNamespace())))
            .build(), context),
        // a change to a deployment or a node fans out only to the nodes whose peer sources look there
        new InformerEventSource<>(InformerEventSourceConfiguration.from(SeiNodeDeployment.class, SeiNode.class)
            .withName(PEER_DEPLOYMENTS)
            .withSecondaryToPrimaryMapper(deployment -> dependents(context, "snd:" + namespace(deployment), null))
            .build(), context),
        new InformerEventSource<>(InformerEventSourceConfiguration.from(SeiNode.class, SeiNode.class)
            .withName(PEER_NODES)
            .withSecondaryToPrimaryMapper(node -> {
              Set<ResourceID> nodes = new HashSet<>(dependents(context, "label:" + namespace(node), node));
              nodes.addAll(dependents(context, "snd:" + namespace(node), node));
              return nodes;
            })
            .build(), context));
  }

  @Override
  public UpdateControl<SeiNode> reconcile(SeiNode node, Context<SeiNode> context) {
    return metrics.reconcile("SeiNode", () -> converge(node, context));
  }

  private UpdateControl<SeiNode> converge(SeiNode node, Context<SeiNode> context) {
    Owned owned = new Owned(node, context);
    SeiNodeStatus old = node.getStatus() == null
        ? new SeiNodeStatus(null, null, null, null, null, List.of()) : node.getStatus();
    Apply apply = new Apply(context.getClient(), metrics);
    Instant now = Instant.now();

    String nodeId = new Identity(context.getClient(), apply).nodeId(node, old.nodeId(), owned.named(Secret.class,
        NodeObjects.nodeKeySecretName(node)));
    apply.ensure(Apply.ownedBy(NodeObjects.headlessService(node), node),
        owned.named(Service.class, node.getMetadata().getName()));
    boolean started = owned.named(StatefulSet.class, node.getMetadata().getName()) != null;
    Publisher.Outcome publication = new Publisher(config, apply)
        .publish(node, old, owned, started, now);

    Peers.Resolution peers = Peers.resolve(node.getMetadata().getName(), namespace(node),
        node.getSpec().peersOrEmpty(), nodeViews(context), deploymentViews(context));
    NodeConfig.Rendered rendered = NodeConfig.render(publication.address(), peers.persistentPeers(),
        node.getSpec().overrides());
    apply.ensure(Apply.ownedBy(NodeObjects.configMap(node, rendered), node),
        owned.named(ConfigMap.class, NodeObjects.configMapName(node.getMetadata().getName())));
    StatefulSet statefulSet = statefulSet(node, rendered, publication, owned, apply);

    Long generation = node.getMetadata().getGeneration();
    List<Condition> conditions = publication.conditions(old.conditions(), node, now);
    conditions = Conditions.set(conditions, PEERS_RESOLVED, !peers.unresolvedEc2Tags(),
        peers.unresolvedEc2Tags() ? "Ec2TagsNotResolved" : "Resolved",
        peers.unresolvedEc2Tags() ? "ec2Tags peer sources are not resolved by this controller (no AWS API access)"
            : peers.resolvedPeers().size() + " peers", generation, now);
    SeiNodeStatus status = new SeiNodeStatus(publication.address(), nodeId,
        peers.resolvedPeers().isEmpty() ? null : peers.resolvedPeers(),
        statefulSet == null ? old.statefulSet()
            : new SeiNodeStatus.StatefulSetRef(statefulSet.getMetadata().getName(), statefulSet.getMetadata().getUid()),
        generation, conditions);
    publication.announce(new Events(context.getClient(), metrics), node, old.conditions(), conditions);

    UpdateControl<SeiNode> control;
    if (status.equals(old)) {
      control = UpdateControl.noUpdate();
    } else {
      SeiNode patch = new SeiNode();
      patch.setMetadata(new ObjectMetaBuilder()
          .withName(node.getMetadata().getName()).withNamespace(namespace(node)).build());
      patch.setStatus(status);
      control = UpdateControl.patchStatus(patch);
    }
    // a StatefulSet that may start but is not there yet was held by the admission gate: look again soon
    Duration recheck = statefulSet == null && publication.mayStart() ? HELD_RECHECK : publication.recheck();
    return recheck == null ? control : control.rescheduleAfter(recheck);
  }

  /** Created only once the node may start; updated (config hash, image, replicas) from then on. */
  private static StatefulSet statefulSet(SeiNode node, NodeConfig.Rendered rendered, Publisher.Outcome publication,
      Owned owned, Apply apply) {
    StatefulSet existing = owned.named(StatefulSet.class, node.getMetadata().getName());
    if (existing == null && !publication.mayStart()) {
      return null;
    }
    try {
      return apply.ensure(Apply.ownedBy(NodeObjects.statefulSet(node, rendered), node), existing);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403 && String.valueOf(e.getMessage()).contains("is held")) {
        // the webhook's cache has not seen the published address yet: expected, retried shortly
        LOG.debug("StatefulSet {}/{} held by the admission gate; retrying", namespace(node), node.getMetadata().getName());
        return null;
      }
      throw e;
    }
  }

  private static List<Peers.NodeView> nodeViews(Context<SeiNode> context) {
    return context.getPrimaryCache().list().map(n -> new Peers.NodeView(n.getMetadata().getName(), namespace(n),
            n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels(),
            n.getStatus() == null ? null : n.getStatus().externalAddress(),
            n.getStatus() == null ? null : n.getStatus().nodeId()))
        .toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Peers.DeploymentView> deploymentViews(Context<SeiNode> context) {
    InformerEventSource<SeiNodeDeployment, SeiNode> deployments = (InformerEventSource<SeiNodeDeployment, SeiNode>)
        context.eventSourceRetriever().getEventSourceFor(SeiNodeDeployment.class, PEER_DEPLOYMENTS);
    return deployments.list(d -> true).map(d -> new Peers.DeploymentView(d.getMetadata().getName(), namespace(d),
            d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels()))
        .toList();
  }

  /** "label:<ns>" / "snd:<ns>" for each namespace a node's peer sources look in. */
  private static List<String> peerIndexKeys(SeiNode node) {
    List<String> keys = new ArrayList<>();
    for (PeerSource source : node.getSpec() == null ? List.<PeerSource>of() : node.getSpec().peersOrEmpty()) {
      if (source.label() != null) {
        keys.add("label:" + orOwn(source.label().namespace(), node));
      }
      if (source.seinodeDeployment() != null) {
        keys.add("snd:" + orOwn(source.seinodeDeployment().namespace(), node));
      }
    }
    return keys.stream().distinct().toList();
  }

  private static Set<ResourceID> dependents(EventSourceContext<SeiNode> context, String key, HasMetadata except) {
    return context.getPrimaryCache().byIndex(PEER_INDEX, key).stream()
        .filter(node -> except == null || !(node.getMetadata().getName().equals(except.getMetadata().getName())
            && namespace(node).equals(namespace(except))))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static <R extends HasMetadata> InformerEventSource<R, SeiNode> owned(EventSourceContext<SeiNode> context,
      Class<R> type) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, SeiNode.class)
        .withLabelSelector(WellKnown.LABEL_NODE)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SeiNode.class))
        .build(), context);
  }

  private static String orOwn(String namespace, SeiNode node) {
    return namespace == null || namespace.isBlank() ? namespace(node) : namespace;
  }

  static String namespace(HasMetadata object) {
    return object.getMetadata().getNamespace();
  }

  /** The node's objects as the informer caches hold them. */
  static final class Owned {
    private final SeiNode node;
    private final Context<SeiNode> context;

    Owned(SeiNode node, Context<SeiNode> context) {
      this.node = node;
      this.context = context;
    }

    <R extends HasMetadata> R named(Class<R> type, String name) {
      return context.getSecondaryResources(type).stream()
          .filter(r -> r.getMetadata().getName().equals(name) && namespace(r).equals(namespace(node)))
          .findFirst().orElse(null);
    }

    Optional<Pod> pod() {
      return Optional.ofNullable(named(Pod.class, WellKnown.podName(node.getMetadata().getName())));
    }
  }
}
