package io.sei.p2p.model;

/** The condition types of SeiNode and SeiNodeDeployment status: one home, for the controller and users' tooling. */
public final class ConditionType {

  /** Whether the object passes the webhook's checks; the controller makes nothing for one that does not. */
  public static final String VALID = "Valid";
  /** Whether the node's address is published ({@code status.externalAddress}) and may be started. */
  public static final String PUBLISHED = "Published";
  /** Whether the node's peers are resolved into its config. */
  public static final String PEERS_RESOLVED = "PeersResolved";
  /** Whether what the first start needs besides the address (genesis, data claim, seid's home) is there. */
  public static final String DATA_READY = "DataReady";
  /** Whether every override reached seid's files. */
  public static final String OVERRIDES_WRITTEN = "OverridesWritten";
  /** Whether an existing NLB Service has the load-balancer settings of the configuration. */
  public static final String LOAD_BALANCER_SETTINGS = "LoadBalancerSettings";
  /** Whether the last reconcile completed; if not, the step that failed. */
  public static final String SYNCED = "Synced";

  private ConditionType() {
  }
}
