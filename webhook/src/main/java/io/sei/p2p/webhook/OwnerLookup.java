package io.sei.p2p.webhook;

import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Future;

/** Finds the SeiNode that owns a StatefulSet. */
public interface OwnerLookup {

  Future<Owner> find(String namespace, String name);

  /** Whether decisions can be made yet (the cache has synced). */
  boolean ready();
}
