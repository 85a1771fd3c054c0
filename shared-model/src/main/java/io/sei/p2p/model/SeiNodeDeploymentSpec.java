package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;
import java.util.Map;

/** The upstream {@code v1alpha1} SeiNodeDeployment spec; {@code updateStrategy} is optional here. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.genesis) || has(self.template.spec.validator)",
    message = "genesis is meaningful only for validator-role deployments (full nodes inherit genesis from the validator ceremony's S3 artifact); remove spec.genesis or set template.spec.validator: {}")
@ValidationRule(value = "!has(oldSelf.genesis) || (has(self.genesis) && self.genesis == oldSelf.genesis)",
    message = "spec.genesis is immutable once set; the ceremony's outputs (chain ID, validator gentxs, account balances) are baked into chain state and cannot be retroactively rewritten by editing the spec")
public record SeiNodeDeploymentSpec(
    @JsonPropertyDescription("How many child SeiNodes, named <deployment>-<index>. 1 to 100; default 1.")
    @SpecReplicas @Required @Min(1) @Max(100) @Default("1") Integer replicas,
    @JsonPropertyDescription("The children's labels, annotations and spec.")
    @Required Template template,
    @JsonPropertyDescription("What happens to the children when the deployment is deleted: Delete (the "
        + "default) deletes them with it; Retain keeps them, released from their owner.")
    @Default("Delete") DeletionPolicy deletionPolicy,
    @JsonPropertyDescription("A genesis ceremony for a validator deployment. Kept for compatibility; this "
        + "controller does not run it. Immutable once set.")
    GenesisCeremonyConfig genesis,
    @JsonPropertyDescription("How every child is exposed, over the template's networking: http (the default) "
        + "or tcp (each child gets its own AWS Network Load Balancer).")
    NetworkingConfig networking,
    @JsonPropertyDescription("How children are updated. Only InPlace exists.")
    UpdateStrategy updateStrategy,
    @JsonPropertyDescription("When true, every child is paused (its pod stops, its objects stay). Default "
        + "false.")
    Boolean paused) {

  public int replicasOrDefault() {
    return replicas == null ? 1 : replicas;
  }

  public DeletionPolicy deletionPolicyOrDefault() {
    return deletionPolicy == null ? DeletionPolicy.Delete : deletionPolicy;
  }

  public boolean pausedOrDefault() {
    return Boolean.TRUE.equals(paused);
  }

  public enum DeletionPolicy { Delete, Retain }

  public enum UpdateStrategyType { InPlace }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UpdateStrategy(@Required UpdateStrategyType type) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Template(TemplateMeta metadata, @Required SeiNodeSpec spec) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TemplateMeta(Map<String, String> labels, Map<String, String> annotations) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenesisCeremonyConfig(
      @Required @Size(min = 1, max = 64) @Pattern("^[a-z0-9][a-z0-9-]*[a-z0-9]$") String chainId,
      @Default("10000000usei") String stakingAmount,
      @Default("1000000000000000000000usei,1000000000000000000000uusdc,1000000000000000000000uatom")
      String accountBalance,
      List<GenesisAccount> accounts,
      Map<String, JsonNode> overrides,
      String maxCeremonyDuration) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenesisAccount(@Required @Size(min = 1) String address, @Required @Size(min = 1) String balance) {
  }
}
