package io.sei.p2p.model;

/** The reasons the controller gives in its conditions and Events, by the condition they explain. */
public final class ConditionReason {

  // Valid
  public static final String VALID = "Valid";
  public static final String INVALID = "Invalid";

  // Published
  public static final String TCP_DISABLED = "TCPDisabled";
  public static final String NOT_ROUTABLE = "NotRoutable";
  public static final String LOAD_BALANCER_PENDING = "LoadBalancerPending";
  public static final String WAITING_FOR_DNS = "WaitingForDNS";
  public static final String PUBLISHED = "Published";

  // PeersResolved
  public static final String NOT_STARTED = "NotStarted";
  public static final String WAITING_FOR_PEERS = "WaitingForPeers";
  public static final String RESOLVED = "Resolved";
  public static final String INVALID_PEERS = "InvalidPeers";
  public static final String EC2_UNAVAILABLE = "Ec2Unavailable";
  public static final String EC2_UNAUTHORIZED = "Ec2Unauthorized";

  // DataReady
  public static final String NO_GENESIS_SOURCE = "NoGenesisSource";
  public static final String CLAIM_MISSING = "ClaimMissing";
  public static final String CLAIM_LOST = "ClaimLost";
  public static final String CLAIM_AVAILABLE = "ClaimAvailable";
  public static final String HOME_REJECTED = "HomeRejected";
  public static final String HOME_PREPARED = "HomePrepared";

  // OverridesWritten
  public static final String WRITTEN = "Written";
  public static final String NOT_WRITTEN = "NotWritten";

  // LoadBalancerSettings
  public static final String AS_CONFIGURED = "AsConfigured";
  public static final String KEPT_EXISTING = "KeptExisting";

  // Synced: completed, or the step that failed
  public static final String SYNCED = "Synced";
  public static final String RECONCILE_FAILED = "ReconcileFailed";
  public static final String NAME_CONFLICT = "NameConflict";
  public static final String NODE_KEY_FAILED = "NodeKeyFailed";
  public static final String SERVICE_APPLY_FAILED = "ServiceApplyFailed";
  public static final String SERVICE_DELETE_FAILED = "ServiceDeleteFailed";
  public static final String CONFIG_MAP_APPLY_FAILED = "ConfigMapApplyFailed";
  public static final String STATEFUL_SET_APPLY_FAILED = "StatefulSetApplyFailed";
  public static final String DATA_CLAIM_FAILED = "DataClaimFailed";
  public static final String SEI_NODE_APPLY_FAILED = "SeiNodeApplyFailed";
  public static final String SEI_NODE_DELETE_FAILED = "SeiNodeDeleteFailed";

  private ConditionReason() {
  }
}
