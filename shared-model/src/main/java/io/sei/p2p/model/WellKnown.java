package io.sei.p2p.model;

/**
 * The one home of this project's names: API group, ports, label and annotation keys, and the naming scheme of
 * every object derived from a node.
 */
public final class WellKnown {

  public static final String GROUP = "sei.io";
  public static final String VERSION = "v1alpha1";

  /** CometBFT P2P port, published through the NLB. */
  public static final int P2P_PORT = 26656;
  /** CometBFT RPC port, in-cluster only. */
  public static final int RPC_PORT = 26657;

  // Reserved labels stamped by the controller on every child SeiNode; user values never win.
  public static final String LABEL_CHAIN = "sei.io/chain";
  public static final String LABEL_NODE_DEPLOYMENT = "sei.io/nodedeployment";
  public static final String LABEL_NODE_DEPLOYMENT_ORDINAL = "sei.io/nodedeployment-ordinal";
  public static final String LABEL_REVISION = "sei.io/revision";

  // Labels on the objects the controller creates for a node.
  public static final String LABEL_NODE = "sei.io/node";
  public static final String LABEL_COMPONENT = "sei.io/component";
  public static final String COMPONENT_P2P_LB = "p2p-lb";

  private WellKnown() {
  }

  /** The child SeiNode of a SeiNodeDeployment at an ordinal. */
  public static String childName(String deployment, int ordinal) {
    return deployment + "-" + ordinal;
  }

  /** The per-node internet-facing NLB Service. */
  public static String p2pServiceName(String node) {
    return node + "-p2p";
  }

  /** The node's only pod (its StatefulSet has one replica). */
  public static String podName(String node) {
    return node + "-0";
  }
}
