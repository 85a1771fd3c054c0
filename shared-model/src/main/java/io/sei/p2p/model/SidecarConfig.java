package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The seictl sidecar, upstream shape (carried, not acted on, by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarConfig(String image, @Default("7777") Integer port,
    @SchemaFrom(type = ResourceRequirementsSchema.class) ResourceRequirements resources) {
}
