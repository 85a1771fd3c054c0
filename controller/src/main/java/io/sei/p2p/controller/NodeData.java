package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.NodeObjects;
import java.util.Map;

/**
 * What a node's first start needs besides its address and peers: its chain's genesis source and its data claim. The
 * claim, like the node key, outlives the node (chain data takes days to sync), so it is created once, owned by
 * nobody and never written again. Read by name, and only before the first start: the controller watches no claims.
 */
final class NodeData {

  private final Claims claims;

  NodeData(Claims claims) {
    this.claims = claims;
  }

  /** Where data claims are read and created: the cluster's API, or memory in the controller's unit tests. */
  interface Claims {

    PersistentVolumeClaim read(String namespace, String name);

    /** Creates {@code claim}; null when one of its name exists already (created meanwhile: never overwritten). */
    PersistentVolumeClaim createIfAbsent(PersistentVolumeClaim claim);

    static Claims of(KubernetesClient client, ControllerMetrics metrics) {
      return new Claims() {
        @Override
        public PersistentVolumeClaim read(String namespace, String name) {
          return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        }

        @Override
        public PersistentVolumeClaim createIfAbsent(PersistentVolumeClaim claim) {
          try {
            metrics.wrote("PersistentVolumeClaim", "create");
            return client.resource(claim).create();
          } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
              return null;
            }
            throw e;
          }
        }
      };
    }
  }

  /**
   * @param mayStart whether the StatefulSet may be created
   * @param ready    the condition's status
   */
  record Check(boolean mayStart, boolean ready, String reason, String message) {
  }

  /**
   * Whether the node's chain has a genesis source: known from the settings alone, so said as soon as the node exists
   * (a change of the settings restarts the controller, which looks at every node again).
   */
  static Check genesis(SeiNode node, PodSettings settings) {
    return settings.genesis() != null ? null : new Check(false, false, ConditionReason.NO_GENESIS_SOURCE,
        "no genesis source is "
        + "configured for chain " + node.getSpec().chainId() + ": set SEI_GENESIS on the controller, e.g. "
        + node.getSpec().chainId() + "=configmap:<name>");
  }

  /**
   * The node's data claim, created when the node may start and not before: a claim whose class provisions at once
   * is a paid volume, and a node that waits for its address may wait for good (a cluster that cannot publish).
   */
  Check claim(SeiNode node, PodSettings settings) {
    String namespace = node.getMetadata().getNamespace();
    String name = NodeObjects.dataClaimName(node);
    PersistentVolumeClaim claim = StepFailed.during(ConditionReason.DATA_CLAIM_FAILED,
        () -> claims.read(namespace, name));
    if (claim == null && NodeObjects.managesDataClaim(node)) {
      claim = StepFailed.during(ConditionReason.DATA_CLAIM_FAILED, () -> createOnce(node, settings));
    }
    if (claim == null) {
      return new Check(false, false, ConditionReason.CLAIM_MISSING,
          "the imported PersistentVolumeClaim " + name + " does not "
          + "exist in namespace " + namespace + "; the node starts once it does");
    }
    if (NodeObjects.managesDataClaim(node)
        && !node.getMetadata().getName().equals(labels(claim).get(WellKnown.LABEL_NODE))) {
      throw StepFailed.nameConflict(claim, "is not labelled " + WellKnown.LABEL_NODE + "="
          + node.getMetadata().getName(), node.getKind(), node.getMetadata().getName());
    }
    String phase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
    if ("Lost".equals(phase)) {
      return new Check(false, false, ConditionReason.CLAIM_LOST,
          "PersistentVolumeClaim " + name + " lost its volume; replace "
          + "the claim (its data is gone) or restore the volume");
    }
    // Pending and Bound alike: a claim is often provisioned only once its pod is scheduled, and one condition for
    // both spares each node a status write when its claim binds
    return new Check(true, true, ConditionReason.CLAIM_AVAILABLE, "seid's home is on PersistentVolumeClaim " + name);
  }

  private PersistentVolumeClaim createOnce(SeiNode node, PodSettings settings) {
    PersistentVolumeClaim claim = claims.createIfAbsent(NodeObjects.dataClaim(node, settings));
    return claim != null ? claim : claims.read(node.getMetadata().getNamespace(), NodeObjects.dataClaimName(node));
  }

  private static Map<String, String> labels(PersistentVolumeClaim claim) {
    return claim.getMetadata().getLabels() == null ? Map.of() : claim.getMetadata().getLabels();
  }
}
