package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The seictl sidecar, upstream shape (carried, not acted on, by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarConfig(
    @JsonPropertyDescription("The sidecar's container image. When unset, the upstream operator's default.")
    String image,
    @JsonPropertyDescription("The port the sidecar's HTTP API listens on. Default 7777.")
    @Default("7777") Integer port,
    @JsonPropertyDescription("The sidecar container's CPU and memory requests and limits.")
    @SchemaFrom(type = ResourceRequirementsSchema.class) ResourceRequirements resources) {
}
