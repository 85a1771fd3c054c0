package io.sei.p2p.validation;

import java.util.ArrayList;
import java.util.List;

/**
 * Ratcheting for UPDATE: a problem the stored object already had does not block an edit, so objects stored before
 * a rule existed stay editable; only problems the edit introduces are refused.
 */
final class Ratchet {

  private Ratchet() {
  }

  static List<FieldProblem> newOnly(List<FieldProblem> now, List<FieldProblem> before) {
    return now.stream().filter(problem -> !before.contains(problem)).toList();
  }

  static List<FieldProblem> concat(List<FieldProblem> first, List<FieldProblem> second) {
    List<FieldProblem> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
