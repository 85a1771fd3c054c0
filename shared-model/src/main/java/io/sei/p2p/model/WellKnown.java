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
  /** seid's Prometheus metrics, in-cluster only. */
  public static final int METRICS_PORT = 26660;

  // Reserved labels stamped by the controller on every child SeiNode; user values never win.
  public static final String LABEL_CHAIN = "sei.io/chain";
  public static final String LABEL_NODE_DEPLOYMENT = "sei.io/nodedeployment";
  public static final String LABEL_NODE_DEPLOYMENT_ORDINAL = "sei.io/nodedeployment-ordinal";
  public static final String LABEL_REVISION = "sei.io/revision";

  // Labels on the objects the controller creates for a node.
  public static final String LABEL_NODE = "sei.io/node";
  public static final String LABEL_COMPONENT = "sei.io/component";
  public static final String COMPONENT_P2P_LB = "p2p-lb";

  // Annotations on the objects the controller writes.
  /** The hash of what a node reads only at start-up (pod template and ConfigMap): a change rolls the pod. */
  public static final String ANNOTATION_CONFIG_HASH = "sei.io/config-hash";
  /** When the controller last wrote a node's ConfigMap: peer-set updates are spaced from it. */
  public static final String ANNOTATION_CONFIG_WRITTEN_AT = "sei.io/config-written-at";
  /** On the StatefulSet: how many peers the node's config held when its pod was last (re)started. */
  public static final String ANNOTATION_PEERS_AT_START = "sei.io/peers-at-start";
  /** The hash of the desired state the controller last applied to an object (writes are skipped while equal). */
  public static final String ANNOTATION_APPLIED_HASH = "sei.io/applied-hash";

  // The install's own names (manifests/base), the defaults of the webhook's, the controller's and certs' settings.
  public static final String INSTALL_NAMESPACE = "sei-system";
  /** The webhook's Deployment, ServiceAccount and Service. */
  public static final String WEBHOOK_NAME = "sei-p2p-webhook";
  /** The controller's Deployment and ServiceAccount. */
  public static final String CONTROLLER_NAME = "sei-p2p-controller";
  /** The Secret holding the webhook's serving certificate. */
  public static final String WEBHOOK_TLS_SECRET = "sei-p2p-webhook-tls";
  /** The mutating and validating webhook configurations, whose caBundle is the serving certificate's CA. */
  public static final String WEBHOOK_CONFIGURATION = "sei-p2p";

  // Tags on EC2 instances that an ec2Tags peer source lists (the keys upstream's controller reads).
  /** The instance's CometBFT node ID, 40 lowercase hex characters. */
  public static final String TAG_NODE_ID = "sei.io/node-id";
  /** The instance's P2P port, when it is not {@link #P2P_PORT}. */
  public static final String TAG_P2P_PORT = "sei.io/p2p-port";

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

  /** The node's ConfigMap: seid's settings, merged into its files at every start. */
  public static String configMapName(String node) {
    return node + "-config";
  }

  /** The node key Secret the controller makes, when the node names none of its own. */
  public static String managedNodeKeyName(String node) {
    return node + "-node-key";
  }

  /** The data claim the controller makes, when the node imports none. */
  public static String managedDataClaimName(String node) {
    return node + "-data";
  }

  /** The node's P2P address inside the cluster, through its headless Service (named as the node). */
  public static String inClusterAddress(String node, String namespace) {
    return podName(node) + "." + node + "." + namespace + ".svc.cluster.local:" + P2P_PORT;
  }
}
