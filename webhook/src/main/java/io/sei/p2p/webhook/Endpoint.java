package io.sei.p2p.webhook;

import java.util.Set;

/** One admission path: what it serves, and who judges. */
public record Endpoint(String path, AdmissionRequest.GroupKind kind, Set<String> operations, boolean mutating,
    Admitter admitter) {

  /** Why this endpoint cannot judge {@code request}, or null when it can. */
  String mismatch(AdmissionRequest request) {
    if (!kind.equals(request.kind()) || !operations.contains(request.operation())) {
      return path + " serves " + kind + " " + String.join("/", operations.stream().sorted().toList())
          + ", not " + request.kind() + " " + request.operation() + "; check the webhook configuration's rules";
    }
    return null;
  }
}
