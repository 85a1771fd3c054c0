package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Records Events about an object: on condition transitions only, never once per reconcile. */
interface Events {

  void normal(HasMetadata about, String reason, String message);

  void warning(HasMetadata about, String reason, String message);
}
