package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.Conditions;
import java.time.Instant;
import java.util.List;

/**
 * The {@code Synced} condition: whether the last reconcile completed, and if not, which step failed and what the
 * apiserver said. A failed reconcile is retried for as long as it fails; the object says so meanwhile.
 */
final class Synced {

  private Synced() {
  }

  static List<Condition> completed(List<Condition> current, Long generation, Instant now) {
    return Conditions.set(current, ConditionType.SYNCED, true, ConditionReason.SYNCED,
        "the last reconcile completed", generation, now);
  }

  private static List<Condition> failed(List<Condition> current, Exception failure, Long generation, Instant now) {
    String reason = failure instanceof StepFailed step ? step.reason() : ConditionReason.RECONCILE_FAILED;
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return Conditions.set(current, ConditionType.SYNCED, false, reason, message, generation, now);
  }

  /**
   * The conditions of {@code object} after a failed reconcile, recording a Warning Event when the failure is new;
   * null when they are unchanged (no status write is due).
   */
  static List<Condition> afterFailure(HasMetadata object, List<Condition> current, Exception failure, Events events) {
    List<Condition> conditions = failed(current, failure, object.getMetadata().getGeneration(), Instant.now());
    if (Conditions.newProblem(current, conditions, ConditionType.SYNCED)) {
      Condition synced = Conditions.find(conditions, ConditionType.SYNCED);
      events.warning(object, synced.getReason(), synced.getMessage());
    }
    return conditions.equals(current) ? null : conditions;
  }

}
