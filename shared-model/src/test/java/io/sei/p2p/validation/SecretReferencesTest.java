package io.sei.p2p.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.validation.SecretReferences.Reference;
import org.junit.jupiter.api.Test;

class SecretReferencesTest {

  private static final SeiNode VALIDATOR = Fixtures.JSON.unmarshal("""
      {"metadata":{"name":"val","namespace":"ns"},"spec":{"chainId":"c","image":"i","validator":{
        "nodeKey":{"secret":{"secretName":"node"}},"signingKey":{"secret":{"secretName":"sign"}},
        "operatorKeyring":{"secret":{"secretName":"ring","passphraseSecretRef":{"secretName":"pass"}}}}}}
      """, SeiNode.class);

  @Test
  void aValidatorNamesItsKeysKeyringAndPassphrase() {
    assertThat(SecretReferences.added(VALIDATOR.getSpec(), null, "spec")).containsExactly(
        new Reference("spec.validator.nodeKey.secret.secretName", "node"),
        new Reference("spec.validator.signingKey.secret.secretName", "sign"),
        new Reference("spec.validator.operatorKeyring.secret.secretName", "ring"),
        new Reference("spec.validator.operatorKeyring.secret.passphraseSecretRef.secretName", "pass"));
    assertThat(SecretReferences.added(VALIDATOR.getSpec(), null, "spec.template.spec")).first()
        .isEqualTo(new Reference("spec.template.spec.validator.nodeKey.secret.secretName", "node"));
  }

  @Test
  void onlyANewReferenceIsChecked() {
    assertThat(SecretReferences.added(VALIDATOR.getSpec(), VALIDATOR.getSpec(), "spec")).isEmpty();
    assertThat(SecretReferences.added(Fixtures.node("full", "").getSpec(), null, "spec"))
        .as("a full node names no Secret").isEmpty();
  }

  @Test
  void aDenialNamesTheUserTheSecretAndWhatToDo() {
    Reference reference = new Reference("spec.validator.nodeKey.secret.secretName", "node");

    assertThat(SecretReferences.unreadable(reference, "alice", "ns")).isEqualTo(new FieldProblem(reference.field(),
        "user alice cannot get Secret ns/node, and the node's pod would hold it: reference a Secret you can read, "
            + "or have get on this one granted"));
  }
}
