package io.sei.p2p.rules;

import io.sei.p2p.model.PeerSource;
import io.sei.p2p.model.WellKnown;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Peer resolution over plain values: what a node's peer sources name, given what the cluster holds. */
public final class Peers {

  private Peers() {
  }

  /** What the resolver needs to know of a SeiNode. */
  public record NodeView(String name, String namespace, Map<String, String> labels, String externalAddress,
      String nodeId) {
  }

  /** What the resolver needs to know of a SeiNodeDeployment. */
  public record DeploymentView(String name, String namespace, Map<String, String> labels) {
  }

  /**
   * @param resolvedPeers   {@code host:port} entries, sorted, deduplicated, never the node itself
   * @param persistentPeers {@code <nodeId>@<host:port>} for peers whose ID is known, plus the static entries
   * @param unresolvedEc2Tags whether an {@code ec2Tags} source was skipped (no AWS API access here)
   */
  public record Resolution(List<String> resolvedPeers, List<String> persistentPeers, boolean unresolvedEc2Tags) {
  }

  public static Resolution resolve(String self, String selfNamespace, List<PeerSource> sources, List<NodeView> nodes,
      List<DeploymentView> deployments) {
    TreeSet<String> resolved = new TreeSet<>();
    TreeSet<String> persistent = new TreeSet<>();
    boolean ec2Tags = false;
    for (PeerSource source : sources) {
      if (source.staticPeers() != null && source.staticPeers().addresses() != null) {
        for (String address : source.staticPeers().addresses()) {
          PeerAddress.parse(address).address().ifPresent(parsed -> {
            resolved.add(parsed.hostPort());
            persistent.add(address);
          });
        }
      }
      if (source.label() != null) {
        String namespace = orDefault(source.label().namespace(), selfNamespace);
        for (NodeView node : nodes) {
          if (node.namespace().equals(namespace) && matches(source.label().selector(), node.labels())
              && !isSelf(node, self, selfNamespace)) {
            String address = node.externalAddress() != null && !node.externalAddress().isBlank()
                ? node.externalAddress() : inClusterAddress(node);
            add(resolved, persistent, node, address);
          }
        }
      }
      if (source.seinodeDeployment() != null) {
        String namespace = orDefault(source.seinodeDeployment().namespace(), selfNamespace);
        for (DeploymentView deployment : deployments) {
          if (deployment.namespace().equals(namespace)
              && matches(source.seinodeDeployment().selector(), deployment.labels())) {
            for (NodeView child : nodes) {
              boolean published = child.externalAddress() != null && !child.externalAddress().isBlank();
              if (child.namespace().equals(namespace) && published && !isSelf(child, self, selfNamespace)
                  && deployment.name().equals(child.labels().get(WellKnown.LABEL_NODE_DEPLOYMENT))) {
                add(resolved, persistent, child, child.externalAddress());
              }
            }
          }
        }
      }
      ec2Tags |= source.ec2Tags() != null;
    }
    return new Resolution(List.copyOf(resolved), List.copyOf(persistent), ec2Tags);
  }

  /** Whether {@code labels} carry every pair of {@code selector}. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    if (selector == null || selector.isEmpty()) {
      return false; // the CRD requires at least one pair; an empty selector must never mean "everything"
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    return selector.entrySet().stream().allMatch(pair -> pair.getValue().equals(actual.get(pair.getKey())));
  }

  private static void add(TreeSet<String> resolved, TreeSet<String> persistent, NodeView node, String address) {
    resolved.add(address);
    if (node.nodeId() != null && !node.nodeId().isBlank()) {
      persistent.add(node.nodeId() + "@" + address);
    }
  }

  private static String inClusterAddress(NodeView node) {
    return WellKnown.podName(node.name()) + "." + node.name() + "." + node.namespace() + ".svc.cluster.local:"
        + WellKnown.P2P_PORT;
  }

  private static boolean isSelf(NodeView node, String self, String selfNamespace) {
    return node.name().equals(self) && node.namespace().equals(selfNamespace);
  }

  private static String orDefault(String namespace, String fallback) {
    return namespace == null || namespace.isBlank() ? fallback : namespace;
  }
}
