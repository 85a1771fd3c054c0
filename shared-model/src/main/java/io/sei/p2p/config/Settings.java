package io.sei.p2p.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads the webhook's and the controller's environment settings: unset or blank takes the default; anything else
 * must parse, or startup stops with a message naming the variable, what it must be and what it was.
 */
public final class Settings {

  private Settings() {
  }

  /** A whole number from {@code min} to {@code max}. */
  public static int wholeNumber(Map<String, String> env, String variable, int fallback, int min, int max) {
    return parse(env, variable, fallback, min, max, "a whole number");
  }

  /** A TCP port, 0 to 65535. */
  public static int port(Map<String, String> env, String variable, int fallback) {
    return wholeNumber(env, variable, fallback, 0, 65535);
  }

  /** A whole number of seconds from {@code min} to {@code max}. */
  public static Duration seconds(Map<String, String> env, String variable, int fallback, int min, int max) {
    return Duration.ofSeconds(parse(env, variable, fallback, min, max, "a whole number of seconds"));
  }

  private static int parse(Map<String, String> env, String variable, int fallback, int min, int max, String what) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(variable + " must be " + what + " from " + min + " to " + max + ", not \""
        + value + "\"");
  }

  /** {@code true} or {@code false}, in any case. */
  public static boolean bool(Map<String, String> env, String variable, boolean fallback) {
    String value = env.getOrDefault(variable, "").trim();
    if (value.isEmpty()) {
      return fallback;
    }
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(variable + " must be true or false, not \"" + value + "\"");
  }

  /** A comma-separated list, each entry trimmed, the empty ones dropped (e.g. SEI_WATCH_NAMESPACES). */
  public static SortedSet<String> list(Map<String, String> env, String variable) {
    return Arrays.stream(env.getOrDefault(variable, "").split(",")).map(String::trim)
        .filter(entry -> !entry.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
  }
}
