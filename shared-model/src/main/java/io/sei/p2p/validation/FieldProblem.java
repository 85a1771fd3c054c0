package io.sei.p2p.validation;

import java.util.List;
import java.util.stream.Collectors;

/** One thing wrong with a submitted object: where ({@code spec.peers[0].static}) and what to do about it. */
public record FieldProblem(String field, String message) {

  /** Every problem, as the webhook's denial and the controller's {@code Valid} condition both list them. */
  public static String join(List<FieldProblem> problems) {
    return problems.stream().map(FieldProblem::toString).collect(Collectors.joining("; "));
  }

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
