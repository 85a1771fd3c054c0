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
    @JsonPropertyDescription("How every child is exposed when the template sets no networking of its own: http "
        + "(the default) or tcp (each child gets its own AWS Network Load Balancer).")
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
  public record UpdateStrategy(
      @JsonPropertyDescription("The strategy. Only InPlace exists: each child SeiNode is updated where it "
          + "stands when the template changes.")
      @Required UpdateStrategyType type) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Template(
      @JsonPropertyDescription("Labels and annotations given to every child SeiNode.")
      TemplateMeta metadata,
      @JsonPropertyDescription("The spec of every child SeiNode. Its networking, when set, wins over the "
          + "deployment's; the deployment's paused: true pauses every child.")
      @Required SeiNodeSpec spec) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TemplateMeta(
      @JsonPropertyDescription("Labels added to every child SeiNode. The labels sei.io/chain, "
          + "sei.io/nodedeployment, sei.io/nodedeployment-ordinal and sei.io/revision are always the "
          + "controller's.")
      Map<String, String> labels,
      @JsonPropertyDescription("Annotations added to every child SeiNode.")
      Map<String, String> annotations) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenesisCeremonyConfig(
      @JsonPropertyDescription("The chain ID of the new network: lowercase letters, digits and dashes, at most "
          + "64 characters.")
      @Required @Size(min = 1, max = 64) @Pattern("^[a-z0-9][a-z0-9-]*[a-z0-9]$") String chainId,
      @JsonPropertyDescription("What each validator self-delegates in its genesis transaction (gentx), as a "
          + "coin amount. Default 10000000usei.")
      @Default("10000000usei") String stakingAmount,
      @JsonPropertyDescription("The initial balance of each validator's genesis account, as comma-separated coin "
          + "amounts. Default 1000000000000000000000 each of usei, uusdc and uatom.")
      @Default("1000000000000000000000usei,1000000000000000000000uusdc,1000000000000000000000uatom")
      String accountBalance,
      @JsonPropertyDescription("Accounts other than the validators' to fund at genesis, e.g. for load tests.")
      List<GenesisAccount> accounts,
      @JsonPropertyDescription("Genesis values by dotted snake_case path (e.g. staking.params.unbonding_time), "
          + "each any JSON value, applied over the genesis defaults before the gentxs are made.")
      Map<String, JsonNode> overrides,
      @JsonPropertyDescription("How long the ceremony may take, from creation to an assembled genesis, as a Go "
          + "duration such as 15m. Default 15m.")
      String maxCeremonyDuration) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenesisAccount(
      @JsonPropertyDescription("The account's bech32 address (sei1...).")
      @Required @Size(min = 1) String address,
      @JsonPropertyDescription("The account's initial balance, as comma-separated coin amounts such as "
          + "1000000usei.")
      @Required @Size(min = 1) String balance) {
  }
}
