package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.NodeObjects;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's CometBFT identity. Its key lives in a Secret that outlives the node (like a StatefulSet's volumes), so
 * that a node deleted and created again, or scaled down and up, keeps the node ID its peers know. The Secret is read
 * by name only until the node ID is in the node's status: the controller watches no Secrets.
 */
final class Identity {

  private static final Logger LOG = LoggerFactory.getLogger(Identity.class);
  private final KubernetesClient client;
  private final ControllerMetrics metrics;

  Identity(KubernetesClient client, ControllerMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  /** The node ID: the one already known, else read from (or first generated into) the key Secret; null if none. */
  String nodeId(SeiNode node, String known) {
    if (known != null) {
      return known; // a key is never replaced, so its ID never changes
    }
    String name = NodeObjects.nodeKeySecretName(node);
    Secret secret = StepFailed.during(ConditionReason.NODE_KEY_FAILED, () -> read(node, name));
    if (secret == null && NodeObjects.managesNodeKey(node)) {
      secret = StepFailed.during(ConditionReason.NODE_KEY_FAILED, () -> createOnce(node));
    }
    if (secret == null) {
      return null; // a validator's own key Secret that does not exist yet
    }
    if (NodeObjects.managesNodeKey(node) && !node.getMetadata().getName().equals(labels(secret).get(WellKnown.LABEL_NODE))) {
      throw StepFailed.nameConflict(secret, "is not labelled " + WellKnown.LABEL_NODE + "=" + node.getMetadata().getName(),
          node.getKind(), node.getMetadata().getName());
    }
    try {
      return NodeKeys.nodeId(secret);
    } catch (IllegalArgumentException e) {
      LOG.warn("SeiNode {}/{}: unusable node key: {}", node.getMetadata().getNamespace(), node.getMetadata().getName(),
          e.getMessage());
      return null;
    }
  }

  private Secret read(SeiNode node, String name) {
    return client.secrets().inNamespace(node.getMetadata().getNamespace()).withName(name).get();
  }

  private Secret createOnce(SeiNode node) {
    try {
      metrics.wrote("Secret", "create");
      return client.resource(NodeKeys.generate(node)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // created meanwhile: use that one, never overwrite
      return read(node, NodeObjects.nodeKeySecretName(node));
    }
  }

  private static Map<String, String> labels(Secret secret) {
    return secret.getMetadata().getLabels() == null ? Map.of() : secret.getMetadata().getLabels();
  }
}
