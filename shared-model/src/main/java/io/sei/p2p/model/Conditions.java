package io.sei.p2p.model;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Standard conditions: lastTransitionTime moves only when the status changes. */
public final class Conditions {

  private Conditions() {
  }

  /** {@code current} with {@code type} set; the result equals {@code current} when nothing changed. */
  public static List<Condition> set(List<Condition> current, String type, boolean status, String reason,
      String message, Long observedGeneration, Instant now) {
    return set(current, type, status ? "True" : "False", reason, message, observedGeneration, now);
  }

  /** {@code current} with {@code type} set to {@code Unknown}: not decided yet. */
  public static List<Condition> unknown(List<Condition> current, String type, String reason, String message,
      Long observedGeneration, Instant now) {
    return set(current, type, "Unknown", reason, message, observedGeneration, now);
  }

  private static List<Condition> set(List<Condition> current, String type, String statusText, String reason,
      String message, Long observedGeneration, Instant now) {
    List<Condition> result = new ArrayList<>();
    Condition previous = find(current, type);
    String transition = previous != null && statusText.equals(previous.getStatus())
        ? previous.getLastTransitionTime() : now.toString();
    Condition wanted = new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason)
        .withMessage(message).withObservedGeneration(observedGeneration).withLastTransitionTime(transition).build();
    boolean replaced = false;
    for (Condition condition : current == null ? List.<Condition>of() : current) {
      if (condition.getType().equals(type)) {
        result.add(wanted);
        replaced = true;
      } else {
        result.add(condition);
      }
    }
    if (!replaced) {
      result.add(wanted);
    }
    return result;
  }

  public static Condition find(List<Condition> conditions, String type) {
    return conditions == null ? null
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /**
   * Whether {@code type} is False in {@code after} and was not, or was False for another reason or message: a Warning
   * Event is due, once per distinct problem.
   */
  public static boolean newProblem(List<Condition> before, List<Condition> after, String type) {
    Condition old = find(before, type);
    Condition now = find(after, type);
    return now != null && "False".equals(now.getStatus()) && (old == null || !old.getStatus().equals(now.getStatus())
        || !Objects.equals(old.getReason(), now.getReason()) || !Objects.equals(old.getMessage(), now.getMessage()));
  }

  /** Whether {@code type} moved to a new status or reason between the two lists (an Event is due). */
  public static boolean transitioned(List<Condition> before, List<Condition> after, String type) {
    Condition old = find(before, type);
    Condition now = find(after, type);
    return now != null && (old == null || !Objects.equals(old.getStatus(), now.getStatus())
        || !Objects.equals(old.getReason(), now.getReason()));
  }
}
