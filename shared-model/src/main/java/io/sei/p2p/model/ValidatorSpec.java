package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.sei.p2p.model.NodeModes.SnapshotSource;

/** Validator mode, upstream shape. This project reads {@code nodeKey} (the node's P2P identity). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.signingKey) == has(self.nodeKey)",
    message = "signingKey and nodeKey must be set together (validators get both or neither)")
@ValidationRule(
    value = "!has(self.signingKey) || !has(self.nodeKey) || self.signingKey.secret.secretName != self.nodeKey.secret.secretName",
    message = "signingKey and nodeKey must reference distinct Secrets \u2014 packing both keys in one Secret collapses the bootstrap-pod trust boundary")
@ValidationRule(
    value = "!has(self.operatorKeyring) || !has(self.signingKey) || self.operatorKeyring.secret.secretName != self.signingKey.secret.secretName",
    message = "operatorKeyring and signingKey must reference distinct Secrets \u2014 collapsing them into one Secret would force the sidecar/seid trust boundary to evaporate")
@ValidationRule(
    value = "!has(self.operatorKeyring) || !has(self.nodeKey) || self.operatorKeyring.secret.secretName != self.nodeKey.secret.secretName",
    message = "operatorKeyring and nodeKey must reference distinct Secrets")
@ValidationRule(
    value = "!has(self.operatorKeyring) || self.operatorKeyring.secret.secretName != self.operatorKeyring.secret.passphraseSecretRef.secretName",
    message = "operatorKeyring data Secret and passphrase Secret must be distinct")
@ValidationRule(
    value = "!has(self.operatorKeyring) || !has(self.signingKey) || self.operatorKeyring.secret.passphraseSecretRef.secretName != self.signingKey.secret.secretName",
    message = "operatorKeyring passphrase Secret must not equal signingKey Secret")
@ValidationRule(
    value = "!has(self.operatorKeyring) || !has(self.nodeKey) || self.operatorKeyring.secret.passphraseSecretRef.secretName != self.nodeKey.secret.secretName",
    message = "operatorKeyring passphrase Secret must not equal nodeKey Secret")
public record ValidatorSpec(
    @JsonPropertyDescription("Where the validator gets its initial chain state: an S3 snapshot or state sync. "
        + "When unset, it syncs every block from genesis.")
    SnapshotSource snapshot,
    @JsonPropertyDescription("The validator's part in a genesis ceremony, written by the controller that runs "
        + "the ceremony rather than by hand. This controller does not act on it.")
    GenesisCeremonyNodeConfig genesisCeremony,
    @JsonPropertyDescription("Where the validator's consensus signing key (priv_validator_key.json) comes from; "
        + "when unset, the node does not sign blocks. Set together with nodeKey. This controller does not act on "
        + "it.")
    SigningKeySource signingKey,
    @JsonPropertyDescription("Where the node's P2P key (node_key.json), and so its node ID, comes from. When "
        + "unset, the controller generates one in the Secret <node>-node-key. Set together with signingKey.")
    NodeKeySource nodeKey,
    @JsonPropertyDescription("The keyring of the validator's operator account, which the sidecar signs "
        + "governance and other operator transactions with. This controller does not act on it.")
    OperatorKeyringSource operatorKeyring) {

  /** The Secret holding the node's {@code node_key.json}, or null when the controller manages one. */
  public String nodeKeySecretName() {
    return nodeKey == null || nodeKey.secret() == null ? null : nodeKey.secret().secretName();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.secret) ? 1 : 0) == 1", message = "exactly one signing key source must be set")
  public record SigningKeySource(
      @JsonPropertyDescription("A Secret in the node's namespace whose data key priv_validator_key.json holds "
          + "the signing key. The only source, so it must be set.")
      SecretKeyRef secret) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.secret) ? 1 : 0) == 1", message = "exactly one node key source must be set")
  public record NodeKeySource(
      @JsonPropertyDescription("A Secret in the node's namespace whose data key node_key.json holds the node "
          + "key. The only source, so it must be set.")
      SecretKeyRef secret) {
  }

  /** A key held in a Secret of the node's namespace; the name cannot change once set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.secretName == oldSelf.secretName", message = "secretName is immutable",
      fieldPath = ".secretName")
  public record SecretKeyRef(
      @JsonPropertyDescription("The Secret's name, in the node's namespace. The controller never writes it, and "
          + "whoever sets this must be allowed to read it. Immutable.")
      @Required @Size(min = 1, max = KubernetesFormats.OBJECT_NAME_MAX) @Pattern(KubernetesFormats.OBJECT_NAME_PATTERN)
      String secretName) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OperatorKeyringSource(
      @JsonPropertyDescription("A file-backend keyring held in a Secret of the node's namespace and unlocked by a "
          + "passphrase from another Secret. When unset, the sidecar uses the unencrypted test keyring on the "
          + "data volume.")
      SecretOperatorKeyring secret) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.secretName == oldSelf.secretName", message = "secretName is immutable",
      fieldPath = ".secretName")
  public record SecretOperatorKeyring(
      @JsonPropertyDescription("The Secret whose data keys are the files of the keyring directory "
          + "(<key name>.info, <address hex>.address), in the node's namespace. Immutable.")
      @Required @Size(min = 1, max = KubernetesFormats.OBJECT_NAME_MAX) @Pattern(KubernetesFormats.OBJECT_NAME_PATTERN)
      String secretName,
      @JsonPropertyDescription("The keyring entry to sign with, the name it was added under (seid keys add "
          + "<name>). Default node_admin.")
      @Default("node_admin") @Size(max = 64) @Pattern("^[a-zA-Z0-9_-]+$") String keyName,
      @JsonPropertyDescription("Where the keyring's passphrase is: a key of another Secret than the keyring's.")
      @Required PassphraseSecretRef passphraseSecretRef) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.secretName == oldSelf.secretName", message = "passphrase secretName is immutable",
      fieldPath = ".secretName")
  public record PassphraseSecretRef(
      @JsonPropertyDescription("The name of the Secret holding the passphrase, in the node's namespace. "
          + "Immutable.")
      @Required @Size(min = 1, max = KubernetesFormats.OBJECT_NAME_MAX) @Pattern(KubernetesFormats.OBJECT_NAME_PATTERN)
      String secretName,
      @JsonPropertyDescription("The data key of that Secret whose value is the passphrase.")
      @Required @Size(min = 1, max = 253) String key) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenesisCeremonyNodeConfig(
      @JsonPropertyDescription("The chain ID of the network the ceremony creates.")
      @Required @Size(min = 1) String chainId,
      @JsonPropertyDescription("What this validator self-delegates in its gentx, as a coin amount such as "
          + "10000000usei.")
      @Required @Size(min = 1) String stakingAmount,
      @JsonPropertyDescription("The initial balance of this validator's genesis account, as comma-separated coin "
          + "amounts.")
      @Required @Size(min = 1) String accountBalance,
      @JsonPropertyDescription("This validator's ordinal among the ceremony's validators, from 0.")
      @Required @Min(0) Integer index) {
  }
}
