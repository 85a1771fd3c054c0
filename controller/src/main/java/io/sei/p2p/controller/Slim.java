package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.resources.NodeObjects;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the informer caches keep of each object: only what the controller reads. At a thousand nodes, field-manager
 * bookkeeping, peer lists of other nodes and pod specs would otherwise be most of the heap.
 */
final class Slim {

  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  private static final String READY = "Ready";

  private Slim() {
  }

  /** A cache that keeps {@code keep} of each object. */
  static <R extends HasMetadata> TransformingItemStore<R> store(UnaryOperator<R> keep) {
    return new TransformingItemStore<>(keep);
  }

  /** Everything but the bookkeeping: managed fields and kubectl's copy of the last applied manifest. */
  static <R extends HasMetadata> R withoutBookkeeping(R object) {
    object.getMetadata().setManagedFields(null);
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      annotations.remove(LAST_APPLIED);
    }
    return object;
  }

  /** Another node as its peers and its deployment see it: its own peer list and conditions are not theirs to read. */
  static SeiNode peer(SeiNode node) {
    SeiNodeStatus status = node.getStatus();
    if (status != null) {
      node.setStatus(new SeiNodeStatus(status.externalAddress(), status.nodeId(), null, status.statefulSet(),
          status.observedGeneration(), null));
    }
    return withoutBookkeeping(node);
  }

  /** A pod: only whether it runs, its IP and why the preparation of seid's home failed (if it did) are read. */
  static Pod pod(Pod pod) {
    PodStatus status = pod.getStatus();
    pod.setSpec(null);
    pod.setStatus(status == null ? null
        : new PodStatusBuilder().withPhase(status.getPhase()).withPodIP(status.getPodIP())
            .withInitContainerStatuses(status.getInitContainerStatuses() == null ? List.of()
                : status.getInitContainerStatuses().stream()
                    .filter(container -> NodeObjects.PREPARE_CONTAINER.equals(container.getName())).toList())
            .build());
    return withoutBookkeeping(pod);
  }

  /** A child's pod as its deployment sees it: only whether it is Ready. */
  static Pod readiness(Pod pod) {
    pod.setSpec(null);
    pod.setStatus(new PodStatusBuilder().withConditions(pod.getStatus() == null || pod.getStatus().getConditions() == null
        ? List.of() : pod.getStatus().getConditions().stream().filter(c -> READY.equals(c.getType())).toList()).build());
    return withoutBookkeeping(pod);
  }

  /** Whether the kubelet reports the pod Ready (its probes pass). */
  static boolean ready(Pod pod) {
    return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> READY.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** A StatefulSet: its spec is compared with what is wanted; its status is not read. */
  static StatefulSet statefulSet(StatefulSet statefulSet) {
    statefulSet.setStatus(null);
    return withoutBookkeeping(statefulSet);
  }
}
