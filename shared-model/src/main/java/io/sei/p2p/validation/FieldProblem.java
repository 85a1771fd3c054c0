package io.sei.p2p.validation;

/** One thing wrong with a submitted object: where ({@code spec.peers[0].static}) and what to do about it. */
public record FieldProblem(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
