package io.sei.p2p.webhook;

import io.vertx.core.Future;

/** Whether a user may read a Secret. Implementations never block the calling (event-loop) thread. */
@FunctionalInterface
interface SecretAccess {

  /** Succeeds with the answer; fails when it cannot be known (the caller fails closed). */
  Future<Boolean> canGet(AdmissionRequest.UserInfo user, String namespace, String secret);
}
