package io.sei.p2p.peers;

import java.util.Map;

/** How a peer source selects objects: by equality on every label of its selector, in one namespace. */
public final class Selectors {

  private Selectors() {
  }

  /** Whether {@code labels} carry every pair of {@code selector}; an empty selector matches nothing. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    if (selector == null || selector.isEmpty()) {
      return false; // the CRD requires at least one pair; an empty selector must never mean "everything"
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    return selector.entrySet().stream().allMatch(pair -> pair.getValue().equals(actual.get(pair.getKey())));
  }

  /** A peer source's namespace: the one it names, else the node's own. */
  public static String namespaceOr(String namespace, String own) {
    return namespace == null || namespace.isBlank() ? own : namespace;
  }
}
