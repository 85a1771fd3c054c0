package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.validation.FieldProblem;
import java.time.Instant;
import java.util.List;

/**
 * The {@code Valid} condition: whether the object passes the checks the webhook makes of it. The webhook may have
 * been down or bypassed when the object was written; the controller makes no child object for an invalid one.
 */
final class Validity {

  private Validity() {
  }

  /** {@code current} with {@code Valid} set from {@code problems}, in the words of the webhook's denial. */
  static List<Condition> judged(List<Condition> current, List<FieldProblem> problems, Long generation, Instant now) {
    return problems.isEmpty()
        ? Conditions.set(current, ConditionType.VALID, true, ConditionReason.VALID,
            "the object passes the webhook's checks", generation, now)
        : Conditions.set(current, ConditionType.VALID, false, ConditionReason.INVALID,
            FieldProblem.join(problems), generation, now);
  }

  /** A Warning Event when the object has just become invalid, or invalid for other reasons: once per change. */
  static void announce(HasMetadata object, List<Condition> before, List<Condition> after, Events events) {
    if (Conditions.newProblem(before, after, ConditionType.VALID)) {
      events.warning(object, ConditionReason.INVALID, Conditions.find(after, ConditionType.VALID).getMessage());
    }
  }
}
