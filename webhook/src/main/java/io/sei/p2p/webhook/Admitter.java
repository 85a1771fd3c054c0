package io.sei.p2p.webhook;

import io.vertx.core.Future;

/** Judges one admission request. Implementations never block the calling (event-loop) thread. */
@FunctionalInterface
public interface Admitter {

  Future<AdmissionResponse> admit(AdmissionRequest request);
}
