package io.sei.p2p.validation;

import io.sei.p2p.model.SeiNodeSpec;
import io.sei.p2p.model.ValidatorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The Secrets a node's spec names: a validator's node key, signing key and operator keyring. The node's pod gets
 * them, so whoever writes the spec must be able to read them; otherwise a SeiNode would hand its author any Secret of
 * the namespace.
 */
public final class SecretReferences {

  private SecretReferences() {
  }

  /** A Secret named by the field at {@code field} (e.g. {@code spec.validator.nodeKey.secret.secretName}). */
  public record Reference(String field, String secret) {
  }

  /**
   * The Secrets {@code spec} names that {@code old} (null on CREATE) did not: only a new reference needs checking.
   *
   * @param specPath where the spec sits in its object: {@code spec}, or {@code spec.template.spec}
   */
  public static List<Reference> added(SeiNodeSpec spec, SeiNodeSpec old, String specPath) {
    List<Reference> before = old == null ? List.of() : of(old, specPath);
    return of(spec, specPath).stream().filter(reference -> !before.contains(reference)).toList();
  }

  static List<Reference> of(SeiNodeSpec spec, String specPath) {
    List<Reference> references = new ArrayList<>();
    ValidatorSpec validator = spec == null ? null : spec.validator();
    if (validator == null) {
      return references;
    }
    String at = specPath + ".validator.";
    if (validator.nodeKey() != null && validator.nodeKey().secret() != null) {
      add(references, at + "nodeKey.secret.secretName", validator.nodeKey().secret().secretName());
    }
    if (validator.signingKey() != null && validator.signingKey().secret() != null) {
      add(references, at + "signingKey.secret.secretName", validator.signingKey().secret().secretName());
    }
    if (validator.operatorKeyring() != null && validator.operatorKeyring().secret() != null) {
      ValidatorSpec.SecretOperatorKeyring keyring = validator.operatorKeyring().secret();
      add(references, at + "operatorKeyring.secret.secretName", keyring.secretName());
      if (keyring.passphraseSecretRef() != null) {
        add(references, at + "operatorKeyring.secret.passphraseSecretRef.secretName",
            keyring.passphraseSecretRef().secretName());
      }
    }
    return references;
  }

  /** The denial for a Secret that {@code user} may not read. */
  public static FieldProblem unreadable(Reference reference, String user, String namespace) {
    return new FieldProblem(reference.field(), "user " + user + " cannot get Secret " + namespace + "/"
        + reference.secret() + ", and the node's pod would hold it: reference a Secret you can read, or have get on "
        + "this one granted");
  }

  /** The denial when the check itself could not be made (fail closed). */
  public static FieldProblem uncheckable(Reference reference, String namespace, String why) {
    return new FieldProblem(reference.field(), "could not check whether you may read Secret " + namespace + "/"
        + reference.secret() + " (" + why + "); try again");
  }

  private static void add(List<Reference> references, String field, String secret) {
    if (secret != null && !secret.isBlank()) {
      references.add(new Reference(field, secret));
    }
  }
}
