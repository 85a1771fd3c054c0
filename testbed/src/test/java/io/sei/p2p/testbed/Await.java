package io.sei.p2p.testbed;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for the cluster to converge: polls a condition; an object or field not there yet counts as false. */
final class Await {

  private static final Duration POLL = Duration.ofMillis(200);

  private Await() {
  }

  static boolean eventually(Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (NullPointerException notYet) {
        // the object or field is not there yet
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> null);
  }

  /** As {@link #until(String, Duration, BooleanSupplier)}; a timeout also says what {@code seen} reads then. */
  static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> seen) {
    if (!eventually(timeout, condition)) {
      String state;
      try {
        state = seen.get();
      } catch (RuntimeException e) {
        state = "(could not read the state: " + e + ")";
      }
      throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what
          + (state == null ? "" : "; seen: " + state));
    }
  }
}
