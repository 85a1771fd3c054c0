package io.sei.p2p.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  @Test
  void settingTheSameConditionAgainChangesNothingSoAnIdleReconcileWritesNothing() {
    List<Condition> first = Conditions.set(List.of(), "Published", true, "Published", "as x", 3L, T0);

    List<Condition> again = Conditions.set(first, "Published", true, "Published", "as x", 3L, T1);

    assertThat(again).isEqualTo(first);
    assertThat(again.get(0).getLastTransitionTime()).isEqualTo(T0.toString());
    assertThat(again.get(0).getObservedGeneration()).isEqualTo(3L);
  }

  @Test
  void aProblemIsNewWhenItTurnsFalseOrChangesItsReasonOrMessageAndNotWhenItStays() {
    List<Condition> fine = Conditions.set(List.of(), "Valid", true, "Valid", "ok", 1L, T0);
    List<Condition> broken = Conditions.set(fine, "Valid", false, "Invalid", "spec.peers[0]: bad", 1L, T0);
    List<Condition> brokenOtherwise = Conditions.set(broken, "Valid", false, "Invalid", "spec.peers[1]: bad", 2L, T1);

    assertThat(Conditions.newProblem(fine, broken, "Valid")).as("True to False").isTrue();
    assertThat(Conditions.newProblem(List.of(), broken, "Valid")).as("first seen False").isTrue();
    assertThat(Conditions.newProblem(broken, broken, "Valid")).as("the same problem again").isFalse();
    assertThat(Conditions.newProblem(broken, brokenOtherwise, "Valid")).as("another message").isTrue();
    assertThat(Conditions.newProblem(broken, fine, "Valid")).as("fixed").isFalse();
    assertThat(Conditions.newProblem(fine, fine, "Valid")).isFalse();
    assertThat(Conditions.newProblem(broken, List.of(), "Valid")).as("gone").isFalse();
  }

  @Test
  void theTransitionTimeMovesOnlyWithTheStatus() {
    List<Condition> waiting = Conditions.set(List.of(), "Published", false, "LoadBalancerPending", "m", 1L, T0);

    List<Condition> dns = Conditions.set(waiting, "Published", false, "WaitingForDNS", "n", 1L, T1);
    assertThat(dns.get(0).getLastTransitionTime()).as("False to False").isEqualTo(T0.toString());
    assertThat(dns.get(0).getReason()).isEqualTo("WaitingForDNS");
    assertThat(dns.get(0).getStatus()).isEqualTo("False");
    assertThat(Conditions.transitioned(waiting, dns, "Published")).as("a new reason is a transition").isTrue();

    List<Condition> published = Conditions.set(dns, "Published", true, "Published", "p", 2L, T1);
    assertThat(published.get(0).getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(published.get(0).getObservedGeneration()).isEqualTo(2L);
    assertThat(published.get(0).getStatus()).isEqualTo("True");
    assertThat(Conditions.transitioned(published, published, "Published")).isFalse();
  }

  @Test
  void unknownIsAStatusOfItsOwnAndOtherConditionsStayInPlace() {
    List<Condition> two = Conditions.set(Conditions.set(List.of(), "A", true, "R", "m", 1L, T0), "B", true, "R", "m",
        1L, T0);

    List<Condition> unknown = Conditions.unknown(two, "A", "NotStarted", "later", 1L, T1);

    assertThat(unknown).extracting(Condition::getType).containsExactly("A", "B");
    assertThat(Conditions.find(unknown, "A").getStatus()).isEqualTo("Unknown");
    assertThat(Conditions.find(unknown, "A").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(Conditions.find(unknown, "B")).isEqualTo(Conditions.find(two, "B"));
    assertThat(Conditions.find(null, "A")).isNull();
  }
}
