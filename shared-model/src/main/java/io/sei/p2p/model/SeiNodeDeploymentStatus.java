package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** Written only by the controller (status subresource). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeiNodeDeploymentStatus(
    @JsonPropertyDescription("The spec generation this status describes.")
    Long observedGeneration,
    @JsonPropertyDescription("How many children exist.")
    @StatusReplicas Integer replicas,
    @JsonPropertyDescription("How many children have a Ready pod: seid runs and accepts P2P connections (its readiness probe).")
    Integer readyReplicas,
    @JsonPropertyDescription("How many children have a published address.")
    Integer publishedReplicas,
    @JsonPropertyDescription("Each child, with its published address.")
    List<NodeStatus> nodes,
    @JsonPropertyDescription("Conditions of the deployment, such as Synced.")
    @SchemaFrom(type = ConditionSchema[].class) List<Condition> conditions) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record NodeStatus(
      @JsonPropertyDescription("The child SeiNode's name, <deployment>-<index>.")
      String name,
      @JsonPropertyDescription("Where peers dial the child: its status.externalAddress, "
          + "<load-balancer-hostname>:26656. Absent until it is published.")
      String externalAddress) {
  }
}
