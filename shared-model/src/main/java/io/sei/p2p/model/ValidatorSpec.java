package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
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
    SnapshotSource snapshot,
    GenesisCeremonyNodeConfig genesisCeremony,
    SigningKeySource signingKey,
    NodeKeySource nodeKey,
    OperatorKeyringSource operatorKeyring) {

  /** The Secret holding the node's {@code node_key.json}, or null when the controller manages one. */
  public String nodeKeySecretName() {
    return nodeKey == null || nodeKey.secret() == null ? null : nodeKey.secret().secretName();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.secret) ? 1 : 0) == 1", message = "exactly one signing key source must be set")
  public record SigningKeySource(SecretKeyRef secret) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.secret) ? 1 : 0) == 1", message = "exactly one node key source must be set")
  public record NodeKeySource(SecretKeyRef secret) {
  }

  /** A key held in a Secret of the node's namespace; the name cannot change once set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.secretName == oldSelf.secretName", message = "secretName is immutable",
      fieldPath = ".secretName")
  public record SecretKeyRef(
      @Required @Size(min = 1, max = 253) @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") String secretName) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OperatorKeyringSource(SecretOperatorKeyring secret) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.secretName == oldSelf.secretName", message = "secretName is immutable",
      fieldPath = ".secretName")
  public record SecretOperatorKeyring(
      @Required @Size(min = 1, max = 253) @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") String secretName,
      @Default("node_admin") @Size(max = 64) @Pattern("^[a-zA-Z0-9_-]+$") String keyName,
      @Required PassphraseSecretRef passphraseSecretRef) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.secretName == oldSelf.secretName", message = "passphrase secretName is immutable",
      fieldPath = ".secretName")
  public record PassphraseSecretRef(
      @Required @Size(min = 1, max = 253) @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
      String secretName,
      @Required @Size(min = 1, max = 253) String key) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenesisCeremonyNodeConfig(
      @Required @Size(min = 1) String chainId,
      @Required @Size(min = 1) String stakingAmount,
      @Required @Size(min = 1) String accountBalance,
      @Required @Min(0) Integer index) {
  }
}
