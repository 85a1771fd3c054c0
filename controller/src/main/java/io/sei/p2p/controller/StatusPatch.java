package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;

/** The body of a status patch: the object's name and namespace and the new status, so no spec field is claimed. */
final class StatusPatch {

  private StatusPatch() {
  }

  /** {@code empty}, named as {@code target}, with {@code status}. */
  static <S, R extends CustomResource<?, S>> R of(R empty, HasMetadata target, S status) {
    empty.setMetadata(new ObjectMetaBuilder().withName(target.getMetadata().getName())
        .withNamespace(target.getMetadata().getNamespace()).build());
    empty.setStatus(status);
    return empty;
  }
}
