package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.rules.NodeObjects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's CometBFT identity: its node-key Secret (generated once, never overwritten) and node ID. */
final class Identity {

  private static final Logger LOG = LoggerFactory.getLogger(Identity.class);
  private final KubernetesClient client;
  private final Apply apply;

  Identity(KubernetesClient client, Apply apply) {
    this.client = client;
    this.apply = apply;
  }

  /** The node ID, or the one already known, or null while the key is not readable. */
  String nodeId(SeiNode node, String known, Secret cached) {
    Secret secret = cached;
    if (secret == null && NodeObjects.managesNodeKey(node)) {
      secret = createOnce(node);
    } else if (secret == null) {
      if (known != null) {
        return known; // a validator's own key Secret: its name is immutable, so read it once
      }
      secret = client.secrets().inNamespace(node.getMetadata().getNamespace())
          .withName(NodeObjects.nodeKeySecretName(node)).get();
    }
    if (secret == null) {
      return known;
    }
    try {
      return NodeKeys.nodeId(secret);
    } catch (IllegalArgumentException e) {
      LOG.warn("SeiNode {}/{}: unusable node key: {}", node.getMetadata().getNamespace(), node.getMetadata().getName(),
          e.getMessage());
      return known;
    }
  }

  private Secret createOnce(SeiNode node) {
    try {
      return apply.create(Apply.ownedBy(NodeKeys.generate(node), node));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // created meanwhile (the cache had not seen it): use that one, never overwrite
      return client.secrets().inNamespace(node.getMetadata().getNamespace())
          .withName(NodeObjects.nodeKeySecretName(node)).get();
    }
  }
}
