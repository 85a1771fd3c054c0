package io.sei.p2p.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.CustomResource;
import io.sei.p2p.validation.FieldProblem;
import io.sei.p2p.validation.SecretReferences;
import io.sei.p2p.validation.Validation;
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

  /**
   * The first field below {@code spec} that the schema requires and {@code object} lacks, or null: the apiserver
   * validates against the schema before it calls a validating webhook, so only a review from elsewhere lacks one.
   */
  @FunctionalInterface
  interface RequiredFields<T> {
    String missing(T object);
  }

  private final Class<T> type;
  private final RequiredFields<T> required;
  private final Rule<T> rule;
  private final NamedSecrets<T> secrets;
  private final SecretAccess access;

  ValidatingAdmitter(Class<T> type, RequiredFields<T> required, Rule<T> rule, NamedSecrets<T> secrets,
      SecretAccess access) {
    this.type = type;
    this.required = required;
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
    if (object == null) {
      return Future.succeededFuture(AdmissionResponse.badRequest("the request carries no " + request.kind().kind()));
    }
    String missing = missing(object, "object");
    if (missing == null && old != null) {
      missing = missing(old, "oldObject");
    }
    if (missing != null) {
      return Future.succeededFuture(AdmissionResponse.badRequest("the request's " + missing + " is missing; the "
          + "apiserver always sets it for a " + request.kind().kind() + ", so this review did not come from one"));
    }
    Validation result = rule.validate(object, old);
    String name = object.getMetadata().getName();
    return unreadable(request, secrets.added(object, old)).map(problems -> {
      List<FieldProblem> all = new ArrayList<>(result.problems());
      all.addAll(problems);
      return all.isEmpty() ? AdmissionResponse.allowed(result.warnings())
          : AdmissionResponse.invalid(request.kind().group(), request.kind().kind(), name, all, result.warnings());
    });
  }

  /** The first field that {@code object} (the review's {@code role}) must have and lacks, or null. */
  private String missing(T object, String role) {
    if (object.getMetadata() == null || object.getMetadata().getName() == null
        || object.getMetadata().getName().isEmpty()) {
      return role + ".metadata.name";
    }
    if (object.getSpec() == null) {
      return role + ".spec";
    }
    String below = required.missing(object);
    return below == null ? null : role + "." + below;
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
