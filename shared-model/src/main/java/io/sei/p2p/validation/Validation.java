package io.sei.p2p.validation;

import java.util.ArrayList;
import java.util.List;

/** The outcome of validating one object: every problem at once, plus warnings for an allowed object. */
public record Validation(List<FieldProblem> problems, List<String> warnings) {

  /** kubectl shows warnings as they are; longer ones get hard to read in a terminal. */
  public static final int MAX_WARNING_LENGTH = 120;

  public Validation {
    problems = List.copyOf(problems);
    warnings = List.copyOf(warnings);
    for (String warning : warnings) {
      if (warning.length() > MAX_WARNING_LENGTH) {
        throw new IllegalArgumentException("warning longer than " + MAX_WARNING_LENGTH + " characters: " + warning);
      }
    }
  }

  /** {@code warning}, cut to {@link #MAX_WARNING_LENGTH} characters when longer. */
  public static String shorten(String warning) {
    return warning.length() <= MAX_WARNING_LENGTH ? warning : warning.substring(0, MAX_WARNING_LENGTH - 3) + "...";
  }

  public boolean allowed() {
    return problems.isEmpty();
  }

  /** Collects problems and warnings while the rules run. */
  public static final class Builder {
    private final List<FieldProblem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public Builder problem(String field, String message) {
      problems.add(new FieldProblem(field, message));
      return this;
    }

    public Builder problems(List<FieldProblem> more) {
      problems.addAll(more);
      return this;
    }

    /** Adds a warning, shortened to {@link #MAX_WARNING_LENGTH} characters when longer. */
    public Builder warning(String warning) {
      warnings.add(shorten(warning));
      return this;
    }

    public Validation build() {
      return new Validation(problems, warnings);
    }
  }
}
