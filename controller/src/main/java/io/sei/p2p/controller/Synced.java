package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.sei.p2p.rules.Conditions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The {@code Synced} condition: whether the last reconcile completed, and if not, which step failed and what the
 * apiserver said. A failed reconcile is retried for as long as it fails; the object says so meanwhile.
 */
final class Synced {

  static final String TYPE = "Synced";

  private Synced() {
  }

  static List<Condition> completed(List<Condition> current, Long generation, Instant now) {
    return Conditions.set(current, TYPE, true, "Synced", "the last reconcile completed", generation, now);
  }

  static List<Condition> failed(List<Condition> current, Exception failure, Long generation, Instant now) {
    String reason = failure instanceof StepFailed step ? step.reason() : "ReconcileFailed";
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return Conditions.set(current, TYPE, false, reason, message, generation, now);
  }

  /** Whether {@code after} reports a failure that {@code before} did not (a Warning Event is due, once). */
  static boolean newFailure(List<Condition> before, List<Condition> after) {
    Condition old = Conditions.find(before, TYPE);
    Condition now = Conditions.find(after, TYPE);
    return now != null && "False".equals(now.getStatus()) && (old == null || !old.getStatus().equals(now.getStatus())
        || !Objects.equals(old.getReason(), now.getReason()) || !Objects.equals(old.getMessage(), now.getMessage()));
  }
}
