package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Written only by the controller (status subresource). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeiNodeStatus(
    @JsonPropertyDescription("Where peers dial this node: <load-balancer-hostname>:26656, for a tcp node "
        + "once its load balancer has a name that resolves. Never cleared by a transient "
        + "absence.")
    String externalAddress,
    @JsonPropertyDescription("The node's P2P ID: the first 20 bytes of the SHA-256 of its ed25519 public "
        + "key, in hex.")
    String nodeId,
    @JsonPropertyDescription("The peers, as host:port, that the node's config holds.")
    List<String> resolvedPeers,
    @JsonPropertyDescription("The node's StatefulSet, once it exists.")
    StatefulSetRef statefulSet,
    @JsonPropertyDescription("The spec generation this status describes.")
    Long observedGeneration,
    @JsonPropertyDescription("Published (the address), PeersResolved and Synced (whether the last reconcile "
        + "completed, and if not which step failed and why).")
    @SchemaFrom(type = ConditionSchema[].class) List<Condition> conditions) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StatefulSetRef(
      @JsonPropertyDescription("The StatefulSet's name, the same as the node's.")
      String name,
      @JsonPropertyDescription("The StatefulSet's UID, which tells it apart from an earlier one of the same "
          + "name.")
      String uid) {
  }
}
