package io.sei.p2p.peers;

import io.sei.p2p.model.PeerSource;
import io.sei.p2p.model.WellKnown;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Peer resolution over plain values: what a node's peer sources name, given what the cluster holds. */
public final class Peers {

  private Peers() {
  }

  /** What the resolver needs to know of a SeiNode. */
  public record NodeView(String name, String namespace, Map<String, String> labels, boolean tcp,
      String externalAddress, String nodeId) {

    boolean published() {
      return externalAddress != null && !externalAddress.isBlank();
    }
  }

  /** What the resolver needs to know of a SeiNodeDeployment: its labels, and how many tcp children it wants. */
  public record DeploymentView(String name, String namespace, Map<String, String> labels, int replicas,
      boolean tcp) {
  }

  /**
   * Where resolution looks things up. The controller answers from cache indexes, so that resolving a node costs
   * in proportion to its own peers, never to the namespace or the fleet.
   */
  public interface Directory {

    /** The SeiNodes of {@code namespace} whose labels carry every pair of {@code selector}. */
    Collection<NodeView> nodes(String namespace, Map<String, String> selector);

    /** The SeiNodeDeployments of {@code namespace} whose labels carry every pair of {@code selector}. */
    Collection<DeploymentView> deployments(String namespace, Map<String, String> selector);

    /** What is known of an {@code ec2Tags} source's instances (answered from memory: EC2 is asked elsewhere). */
    Ec2Peers.Lookup ec2Instances(Ec2Peers.Source source);
  }

  /**
   * @param resolvedPeers   {@code host:port} entries, sorted, deduplicated, never the node itself
   * @param persistentPeers {@code <nodeId>@<host:port>} for peers whose ID is known, plus the static entries
   * @param awaiting        selected tcp peers that have not published yet, counting children a deployment wants but
   *                        has not created yet
   * @param rejected        peers left out because they are malformed (a static entry, or what a node or instance
   *                        publishes), each naming the peer and why
   * @param ec2Failures     the {@code ec2Tags} sources whose last DescribeInstances failed (their last answer is used)
   * @param ec2Pending      whether an {@code ec2Tags} source has never been answered, so its peers are unknown
   */
  public record Resolution(List<String> resolvedPeers, List<String> persistentPeers, int awaiting,
      List<String> rejected, List<Ec2Peers.Failure> ec2Failures, boolean ec2Pending) {
  }

  public static Resolution resolve(String self, String selfNamespace, List<PeerSource> sources, Directory directory) {
    Collector found = new Collector(self, selfNamespace);
    for (PeerSource source : sources) {
      if (source.staticPeers() != null && source.staticPeers().addresses() != null) {
        for (String address : source.staticPeers().addresses()) {
          PeerAddress.Parsed parsed = PeerAddress.parse(address);
          if (parsed.address().isPresent()) {
            found.add(parsed.address().get().hostPort(), address);
          } else {
            found.rejected.add("static peer \"" + address + "\": " + parsed.problem());
          }
        }
      }
      if (source.label() != null) {
        String namespace = Selectors.namespaceOr(source.label().namespace(), selfNamespace);
        for (NodeView node : directory.nodes(namespace, source.label().selector())) {
          found.labelled(node);
        }
      }
      if (source.seinodeDeployment() != null) {
        String namespace = Selectors.namespaceOr(source.seinodeDeployment().namespace(), selfNamespace);
        for (DeploymentView deployment : directory.deployments(namespace, source.seinodeDeployment().selector())) {
          found.childrenOf(deployment,
              directory.nodes(namespace, Map.of(WellKnown.LABEL_NODE_DEPLOYMENT, deployment.name())));
        }
      }
      if (source.ec2Tags() != null) {
        Ec2Peers.Source ec2 = Ec2Peers.Source.of(source.ec2Tags());
        found.instances(ec2, directory.ec2Instances(ec2));
      }
    }
    return new Resolution(List.copyOf(found.resolved), List.copyOf(found.persistent), found.awaiting,
        List.copyOf(found.rejected), List.copyOf(found.ec2Failures), found.ec2Pending);
  }

  /** Accumulates one resolution; every peer taken from another object's status is checked before it is used. */
  private static final class Collector {
    private final String self;
    private final String selfNamespace;
    private final TreeSet<String> resolved = new TreeSet<>();
    private final TreeSet<String> persistent = new TreeSet<>();
    private final TreeSet<String> rejected = new TreeSet<>();
    private final Set<Ec2Peers.Failure> ec2Failures = new LinkedHashSet<>();
    private int awaiting;
    private boolean ec2Pending;

    Collector(String self, String selfNamespace) {
      this.self = self;
      this.selfNamespace = selfNamespace;
    }

    /** A label-selected node: its published address, else its in-cluster name. */
    void labelled(NodeView node) {
      if (isSelf(node)) {
        return;
      }
      if (node.tcp() && !node.published()) {
        awaiting++;
      }
      addNode(node, node.published() ? node.externalAddress() : WellKnown.inClusterAddress(node.name(),
          node.namespace()));
    }

    /** A deployment's children count once published; a tcp deployment's missing children are awaited. */
    void childrenOf(DeploymentView deployment, Collection<NodeView> children) {
      int existing = 0;
      for (NodeView child : children) {
        existing++;
        if (isSelf(child)) {
          continue;
        }
        if (child.published()) {
          addNode(child, child.externalAddress());
        } else if (child.tcp()) {
          awaiting++;
        }
      }
      if (deployment.tcp()) {
        awaiting += Math.max(0, deployment.replicas() - existing);
      }
    }

    /** An ec2Tags source's instances; one never answered is awaited, like a peer that has not published. */
    void instances(Ec2Peers.Source source, Ec2Peers.Lookup lookup) {
      if (!lookup.answered()) {
        ec2Pending = true;
        awaiting++;
      }
      if (lookup.failure() != null) {
        ec2Failures.add(lookup.failure());
      }
      for (Ec2Peers.Instance instance : lookup.instances()) {
        Ec2Peers.Composed composed = Ec2Peers.compose(instance);
        if (composed.address() == null) {
          rejected.add("EC2 instance " + instance.id() + " in " + source.region() + " " + composed.problem());
        } else {
          add(composed.address().hostPort(), composed.peer());
        }
      }
    }

    private void addNode(NodeView node, String address) {
      boolean hasId = node.nodeId() != null && !node.nodeId().isBlank();
      PeerAddress.Parsed parsed = hasId ? PeerAddress.parse(node.nodeId() + "@" + address)
          : PeerAddress.parseHostPort(address);
      if (parsed.address().isEmpty()) {
        rejected.add("SeiNode " + node.namespace() + "/" + node.name() + " publishes a peer address that "
            + parsed.problem());
        return;
      }
      add(parsed.address().get().hostPort(), hasId ? parsed.address().get().entry() : null);
    }

    void add(String hostPort, String persistentPeer) {
      resolved.add(hostPort);
      if (persistentPeer != null) {
        persistent.add(persistentPeer);
      }
    }

    private boolean isSelf(NodeView node) {
      return node.name().equals(self) && node.namespace().equals(selfNamespace);
    }
  }
}
