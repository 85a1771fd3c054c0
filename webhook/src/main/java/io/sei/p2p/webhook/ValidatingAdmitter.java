package io.sei.p2p.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.CustomResource;
import io.sei.p2p.rules.FieldProblem;
import io.sei.p2p.rules.SecretReferences;
import io.sei.p2p.rules.Validation;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs a shared validation rule over the typed object (and, on UPDATE, the stored one), then checks that the
 * requesting user may read every Secret the object newly names.
 */
final class ValidatingAdmitter<T extends CustomResource<?, ?>> implements Admitter {

  /** A rule from shared-model; {@code old} is null on CREATE. */
  @FunctionalInterface
  interface Rule<T> {
    Validation validate(T object, T old);
  }

  /** The Secrets {@code object} names that {@code old} (null on CREATE) did not. */
  @FunctionalInterface
  interface NamedSecrets<T> {
    List<SecretReferences.Reference> added(T object, T old);
  }

  private final Class<T> type;
  private final Rule<T> rule;
  private final NamedSecrets<T> secrets;
  private final SecretAccess access;

  ValidatingAdmitter(Class<T> type, Rule<T> rule, NamedSecrets<T> secrets, SecretAccess access) {
    this.type = type;
    this.rule = rule;
    this.secrets = secrets;
    this.access = access;
  }

  @Override
  public Future<AdmissionResponse> admit(AdmissionRequest request) {
    T object;
    T old;
    try {
      object = AdmissionReviewCodec.read(request.object(), type);
      old = request.oldObject().isObject() ? AdmissionReviewCodec.read(request.oldObject(), type) : null;
    } catch (JsonProcessingException e) {
      return Future.succeededFuture(AdmissionResponse.badRequest(
          "could not read the " + request.kind() + " in the request: " + e.getOriginalMessage()));
    }
    if (object == null || object.getMetadata() == null || object.getSpec() == null) {
      return Future.succeededFuture(
          AdmissionResponse.badRequest("the request carries no " + request.kind() + " object with a spec"));
    }
    Validation result = rule.validate(object, old);
    String name = object.getMetadata().getName() != null ? object.getMetadata().getName() : request.name();
    return unreadable(request, secrets.added(object, old)).map(problems -> {
      List<FieldProblem> all = new ArrayList<>(result.problems());
      all.addAll(problems);
      return all.isEmpty() ? AdmissionResponse.allowed(result.warnings())
          : AdmissionResponse.invalid(request.kind().group(), request.kind().kind(), name, all, result.warnings());
    });
  }

  /** A problem for each Secret the user may not read, or whose check failed (fail closed). */
  private Future<List<FieldProblem>> unreadable(AdmissionRequest request, List<SecretReferences.Reference> named) {
    List<Future<FieldProblem>> checks = named.stream().map(reference -> access
            .canGet(request.user(), request.namespace(), reference.secret())
            .map(allowed -> allowed ? null
                : SecretReferences.unreadable(reference, request.user().username(), request.namespace()))
            .otherwise(failure -> SecretReferences.uncheckable(reference, request.namespace(),
                failure.getMessage() == null ? failure.getClass().getSimpleName()
                    : failure.getMessage().lines().findFirst().orElse(""))))
        .toList();
    return Future.all(checks).map(done -> checks.stream().map(Future::result).filter(Objects::nonNull).toList());
  }
}
