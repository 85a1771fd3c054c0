package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The objects one owner controls, as its reconcile reads and writes them: {@link Owned} against the cluster, or
 * memory in the controller's unit tests.
 */
interface ObjectStore {

  /** The object of {@code type} named {@code name} in the owner's namespace (null: none). */
  <R extends HasMetadata> R get(Class<R> type, String name);

  /** {@code desired}, controlled by the owner, made true; never takes over someone else's object. */
  <R extends HasMetadata> R ensure(R desired);

  void delete(HasMetadata object);
}
