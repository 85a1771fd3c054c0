package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Written only by the controller (status subresource). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeiNodeStatus(
    String externalAddress,
    String nodeId,
    List<String> resolvedPeers,
    StatefulSetRef statefulSet,
    Long observedGeneration,
    List<Condition> conditions) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StatefulSetRef(String name, String uid) {
  }
}
