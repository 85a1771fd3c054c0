package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.model.ConditionReason;
import java.util.function.Supplier;

/**
 * A reconcile step that failed, with the reason the object's {@code Synced} condition shows (for example
 * {@code ServiceApplyFailed}) and the apiserver's own words. The reconcile is retried for as long as it fails.
 */
final class StepFailed extends RuntimeException {

  private final String reason;

  private StepFailed(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }

  /** Runs {@code step}; an API failure becomes a StepFailed with {@code reason}. */
  static <T> T during(String reason, Supplier<T> step) {
    try {
      return step.get();
    } catch (KubernetesClientException e) {
      throw of(reason, e);
    }
  }

  static StepFailed of(String reason, KubernetesClientException failure) {
    return new StepFailed(reason, apiserverMessage(failure), failure);
  }

  static void during(String reason, Runnable step) {
    during(reason, () -> {
      step.run();
      return null;
    });
  }

  /**
   * {@code existing} has the name that {@code ownerKind ownerName} needs, but is not its own ({@code whose} says
   * why, e.g. "is controlled by SeiNodeDeployment x").
   */
  static StepFailed nameConflict(HasMetadata existing, String whose, String ownerKind, String ownerName) {
    return new StepFailed(ConditionReason.NAME_CONFLICT,
        existing.getKind() + " " + existing.getMetadata().getNamespace() + "/"
        + existing.getMetadata().getName() + " already exists and " + whose + ", so " + ownerKind + " " + ownerName
        + " leaves it untouched; rename or delete it to let " + ownerName + " proceed", null);
  }

  /** Who controls {@code object}, in words. */
  static String controllerOf(HasMetadata object) {
    return object.getMetadata().getOwnerReferences() == null ? "is not controlled by any owner"
        : object.getMetadata().getOwnerReferences().stream()
            .filter(ref -> Boolean.TRUE.equals(ref.getController()))
            .map(ref -> "is controlled by " + ref.getKind() + " " + ref.getName())
            .findFirst().orElse("is not controlled by any owner");
  }

  /** What the apiserver said (its Status message), without the client's request details. */
  private static String apiserverMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage();
  }
}
