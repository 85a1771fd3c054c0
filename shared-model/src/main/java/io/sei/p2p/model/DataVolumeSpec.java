package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The node's data volume, upstream shape: the claim that holds seid's home. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(!has(oldSelf.import) || has(self.import))", message = "import cannot be unset once configured")
public record DataVolumeSpec(
    @JsonPropertyDescription("Adopts an existing PersistentVolumeClaim as the node's data volume instead of "
        + "creating one; the claim is left in place when the node is deleted. Cannot be removed once set.")
    @JsonProperty("import") Import importFrom) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.pvcName == oldSelf.pvcName", message = "pvcName is immutable", fieldPath = ".pvcName")
  public record Import(
      @JsonPropertyDescription("The name of the PersistentVolumeClaim, in the node's namespace, that holds the "
          + "node's home. Give it ReadWriteOnce access and at least the mode's default size: neither is checked; "
          + "the node waits until the claim exists, and a Lost claim is refused. Immutable.")
      @Required @Size(min = 1, max = KubernetesFormats.OBJECT_NAME_MAX) @Pattern(KubernetesFormats.OBJECT_NAME_PATTERN)
      String pvcName) {
  }
}
