package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.peers.Ec2Peers;
import io.sei.p2p.peers.PeerIndex;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.peers.Selectors;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which nodes peer with which, answered from cache indexes ({@link PeerIndex}): a change to a SeiNode or a
 * SeiNodeDeployment reaches only the nodes whose peer sources select it, and only when something they read changed
 * (address, node ID, labels, tcp, replicas); resolving a node's peers costs in proportion to what it finds.
 */
final class PeerGraph implements Peers.Directory {

  private static final String LABELS = "labels";
  private static final String DEPENDENCIES = "peer-dependencies";
  private static final String PEER_NODES = "peer-nodes";
  private static final String PEER_DEPLOYMENTS = "peer-deployments";

  private final IndexerResourceCache<SeiNode> nodes;
  private final InformerEventSource<SeiNodeDeployment, SeiNode> deployments;
  private final InformerEventSource<SeiNode, SeiNode> peerNodes;
  private final Ec2Instances ec2;

  /**
   * Indexes the primary cache and creates the event sources that fan changes out to dependents: two informers, and
   * the EC2 answers that {@code describe} gives every {@code ec2Refresh}.
   */
  PeerGraph(EventSourceContext<SeiNode> context, Ec2Instances.Describe describe, Duration ec2Refresh) {
    this.nodes = context.getPrimaryCache();
    nodes.addIndexer(DEPENDENCIES, node -> node.getSpec() == null ? List.of()
        : PeerIndex.dependencyKeys(namespace(node), node.getSpec().peersOrEmpty()));
    this.deployments = new FanOut<>(InformerEventSourceConfiguration.from(SeiNodeDeployment.class, SeiNode.class)
        .withName(PEER_DEPLOYMENTS)
        .withSecondaryToPrimaryMapper(this::dependentsOfDeployment)
        .withPrimaryToSecondaryMapper(node -> Set.of()) // peers are looked up by index, not per node
        .withItemStore(Slim.store(Slim::withoutBookkeeping))
        .withOnUpdateFilter(PeerGraph::deploymentChangeMatters)
        .build(), context);
    deployments.addIndexer(LABELS,
        deployment -> PeerIndex.labelKeys(namespace(deployment), deployment.getMetadata().getLabels()));
    this.peerNodes = new FanOut<>(InformerEventSourceConfiguration.from(SeiNode.class, SeiNode.class)
        .withName(PEER_NODES)
        .withSecondaryToPrimaryMapper(this::dependentsOfNode)
        .withPrimaryToSecondaryMapper(node -> Set.of())
        .withItemStore(Slim.store(Slim::peer))
        .withOnUpdateFilter(PeerGraph::nodeChangeMatters)
        .build(), context);
    // peers are read from the informer whose events announce their changes: a reconcile that an event triggered
    // sees that change (the primary cache may not have it yet)
    peerNodes.addIndexer(LABELS, node -> PeerIndex.labelKeys(namespace(node), node.getMetadata().getLabels()));
    this.ec2 = new Ec2Instances(describe, ec2Refresh, source -> nodes
        .byIndex(DEPENDENCIES, PeerIndex.dependentsOfEc2(source)).stream()
        .map(ResourceID::fromResource).collect(Collectors.toSet()));
  }

  List<EventSource<?, SeiNode>> eventSources() {
    return List.of(deployments, peerNodes, ec2);
  }

  @Override
  public Ec2Peers.Lookup ec2Instances(Ec2Peers.Source source) {
    return ec2.lookup(source);
  }

  @Override
  public Collection<Peers.NodeView> nodes(String namespace, Map<String, String> selector) {
    return matching(peerNodes::byIndex, namespace, selector).stream().map(PeerGraph::view).toList();
  }

  @Override
  public Collection<Peers.DeploymentView> deployments(String namespace, Map<String, String> selector) {
    return matching(deployments::byIndex, namespace, selector).stream()
        .map(deployment -> new Peers.DeploymentView(deployment.getMetadata().getName(), namespace(deployment),
            labels(deployment), deployment.getSpec().replicasOrDefault(),
            Networking.tcpEnabled(Networking.forChild(deployment.getSpec()))))
        .toList();
  }

  /** The objects in {@code namespace} that carry every pair of {@code selector}: the smallest bucket, filtered. */
  private static <R extends HasMetadata> List<R> matching(IndexLookup<R> byIndex, String namespace,
      Map<String, String> selector) {
    return PeerIndex.labelKeys(namespace, selector).stream()
        .map(key -> byIndex.find(LABELS, key))
        .min(Comparator.comparingInt(List::size))
        .orElse(List.of()).stream()
        .filter(object -> Selectors.matches(selector, object.getMetadata().getLabels()))
        .toList();
  }

  private Set<ResourceID> dependentsOfNode(SeiNode node) {
    Set<ResourceID> dependents = new HashSet<>();
    for (String key : PeerIndex.dependentsOfNode(namespace(node), labels(node))) {
      for (SeiNode dependent : nodes.byIndex(DEPENDENCIES, key)) {
        if (PeerIndex.selectsNode(namespace(dependent), dependent.getSpec().peersOrEmpty(), namespace(node),
            labels(node))) {
          dependents.add(ResourceID.fromResource(dependent));
        }
      }
    }
    String parent = labels(node).get(WellKnown.LABEL_NODE_DEPLOYMENT);
    if (parent != null) {
      deployments.get(new ResourceID(parent, namespace(node)))
          .ifPresent(deployment -> dependents.addAll(dependentsOfDeployment(deployment)));
    }
    dependents.remove(ResourceID.fromResource(node));
    return dependents;
  }

  private Set<ResourceID> dependentsOfDeployment(SeiNodeDeployment deployment) {
    Set<ResourceID> dependents = new HashSet<>();
    for (String key : PeerIndex.dependentsOfDeployment(namespace(deployment), labels(deployment))) {
      for (SeiNode dependent : nodes.byIndex(DEPENDENCIES, key)) {
        if (PeerIndex.selectsDeployment(namespace(dependent), dependent.getSpec().peersOrEmpty(),
            namespace(deployment), labels(deployment))) {
          dependents.add(ResourceID.fromResource(dependent));
        }
      }
    }
    return dependents;
  }

  /** What peers read of a node: its labels (selection, parent), whether it publishes, where and as whom. */
  private static boolean nodeChangeMatters(SeiNode now, SeiNode before) {
    Peers.NodeView a = view(now);
    Peers.NodeView b = view(before);
    return !a.equals(b) || now.getMetadata().getDeletionTimestamp() != null;
  }

  /** What peers read of a deployment: its labels, and how many tcp children it wants. */
  private static boolean deploymentChangeMatters(SeiNodeDeployment now, SeiNodeDeployment before) {
    return !labels(now).equals(labels(before))
        || now.getSpec().replicasOrDefault() != before.getSpec().replicasOrDefault()
        || Networking.tcpEnabled(Networking.forChild(now.getSpec()))
            != Networking.tcpEnabled(Networking.forChild(before.getSpec()));
  }

  static Peers.NodeView view(SeiNode node) {
    return new Peers.NodeView(node.getMetadata().getName(), namespace(node), labels(node),
        node.getSpec() != null && Networking.tcpEnabled(node.getSpec().networking()),
        node.getStatus() == null ? null : node.getStatus().externalAddress(),
        node.getStatus() == null ? null : node.getStatus().nodeId());
  }

  private static Map<String, String> labels(HasMetadata object) {
    return object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
  }

  private static String namespace(HasMetadata object) {
    return object.getMetadata().getNamespace();
  }

  @FunctionalInterface
  private interface IndexLookup<R> {
    List<R> find(String index, String key);
  }

  /**
   * An informer event source that, on an update, also reaches the primaries its mapper gave for the object's
   * previous state: a node whose labels stop matching a selector must reach the nodes that selected it before.
   */
  private static final class FanOut<R extends HasMetadata> extends InformerEventSource<R, SeiNode> {

    private final SecondaryToPrimaryMapper<R> mapper;
    private final OnUpdateFilter<? super R> matters;

    FanOut(InformerEventSourceConfiguration<R> configuration, EventSourceContext<SeiNode> context) {
      super(configuration, context);
      this.mapper = configuration.getSecondaryToPrimaryMapper();
      this.matters = configuration.getInformerConfig().getOnUpdateFilter();
    }

    @Override
    public void onUpdate(R before, R now) {
      super.onUpdate(before, now);
      if (getEventHandler() == null || !matters.accept(now, before)) {
        return;
      }
      Set<ResourceID> reachedNow = mapper.toPrimaryResourceIDs(now);
      mapper.toPrimaryResourceIDs(before).stream()
          .filter(id -> !reachedNow.contains(id))
          .forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }
}
