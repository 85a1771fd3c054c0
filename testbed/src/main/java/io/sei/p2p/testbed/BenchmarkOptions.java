package io.sei.p2p.testbed;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A benchmark's command line: {@code --name value} pairs, each a name the benchmark knows, each with a default. */
final class BenchmarkOptions {

  private final Map<String, String> values;

  private BenchmarkOptions(Map<String, String> values) {
    this.values = values;
  }

  /** IllegalArgumentException, listing the options and their defaults, for an unknown name or a missing value. */
  static BenchmarkOptions parse(String[] args, Map<String, String> defaults) {
    Map<String, String> values = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i += 2) {
      if (!defaults.containsKey(args[i]) || i + 1 == args.length) {
        throw new IllegalArgumentException((defaults.containsKey(args[i]) ? "no value for " : "unknown option ")
            + args[i] + "; the options are " + defaults.entrySet().stream()
                .map(option -> option.getKey() + " " + option.getValue()).collect(Collectors.joining(" ")));
      }
      values.put(args[i], args[i + 1]);
    }
    return new BenchmarkOptions(values);
  }

  String text(String name) {
    return values.get(name);
  }

  int number(String name) {
    return Integer.parseInt(values.get(name));
  }
}
