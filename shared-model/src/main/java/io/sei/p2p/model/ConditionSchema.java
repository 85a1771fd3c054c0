package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The schema of a status condition, for the CRD only: fabric8's {@link io.fabric8.kubernetes.api.model.Condition}
 * gives the same properties without descriptions.
 */
record ConditionSchema(
    @JsonPropertyDescription("When the condition last changed from one status to another, as an RFC 3339 "
        + "date-time.")
    String lastTransitionTime,
    @JsonPropertyDescription("A human-readable account of the last transition; may be empty.")
    String message,
    @JsonPropertyDescription("The metadata.generation the condition was set for; the condition may be out of "
        + "date when it is older than the object's generation.")
    Long observedGeneration,
    @JsonPropertyDescription("Why the condition last changed, as one CamelCase word that programs can match "
        + "on.")
    String reason,
    @JsonPropertyDescription("The condition's status: True, False or Unknown.")
    String status,
    @JsonPropertyDescription("What the condition is about, in CamelCase, e.g. Synced.")
    String type) {
}
