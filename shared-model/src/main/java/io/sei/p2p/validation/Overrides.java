package io.sei.p2p.validation;

import io.sei.p2p.resources.NodeConfig;
import java.util.Map;
import java.util.TreeMap;

/** A node's {@code overrides}: unknown keys are warned about rather than refused, so upstream's manifests apply. */
final class Overrides {

  private Overrides() {
  }

  /** One warning per override that is not written, under {@code field} (e.g. {@code spec.overrides}). */
  static void warnUnplaced(Validation.Builder result, String field, Map<String, String> overrides) {
    if (overrides != null) {
      new TreeMap<>(overrides).forEach((key, text) -> {
        String problem = NodeConfig.problem(key, text);
        if (problem != null) {
          result.warning(field + "[" + key + "] is not written: " + problem);
        }
      });
    }
  }
}
