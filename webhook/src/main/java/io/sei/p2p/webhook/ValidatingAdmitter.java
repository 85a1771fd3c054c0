package io.sei.p2p.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.CustomResource;
import io.sei.p2p.rules.Validation;
import io.vertx.core.Future;

/** Runs a shared validation rule over the typed object (and, on UPDATE, the stored one). */
final class ValidatingAdmitter<T extends CustomResource<?, ?>> implements Admitter {

  /** A rule from shared-model; {@code old} is null on CREATE. */
  @FunctionalInterface
  interface Rule<T> {
    Validation validate(T object, T old);
  }

  private final Class<T> type;
  private final Rule<T> rule;

  ValidatingAdmitter(Class<T> type, Rule<T> rule) {
    this.type = type;
    this.rule = rule;
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
    if (result.allowed()) {
      return Future.succeededFuture(AdmissionResponse.allowed(result.warnings()));
    }
    String name = object.getMetadata().getName() != null ? object.getMetadata().getName() : request.name();
    return Future.succeededFuture(AdmissionResponse.invalid(request.kind().group(), request.kind().kind(), name,
        result.problems(), result.warnings()));
  }
}
