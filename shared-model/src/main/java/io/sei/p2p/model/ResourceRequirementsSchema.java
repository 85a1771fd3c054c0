package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * The schema of a container's {@code resources} as Kubernetes publishes it, for the CRD only: the generator would
 * read fabric8's model class, which does not say that a claim needs its name.
 */
record ResourceRequirementsSchema(
    @JsonPropertyDescription("Dynamic resources (DRA) claimed by the container, by the names of the pod's resource "
        + "claims.") List<Claim> claims,
    @JsonPropertyDescription("The most of each resource the container may use.") Map<String, Quantity> limits,
    @JsonPropertyDescription("The resources the container is scheduled with.") Map<String, Quantity> requests) {

  record Claim(
      @Required @JsonPropertyDescription("The name of one of the pod's resource claims.") String name,
      @JsonPropertyDescription("The request of that claim to make available here; all of them when empty.")
      String request) {
  }
}
