package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** Written only by the controller (status subresource). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeiNodeDeploymentStatus(
    Long observedGeneration,
    @StatusReplicas Integer replicas,
    Integer readyReplicas,
    Integer publishedReplicas,
    List<NodeStatus> nodes,
    List<Condition> conditions) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record NodeStatus(String name, String externalAddress) {
  }
}
