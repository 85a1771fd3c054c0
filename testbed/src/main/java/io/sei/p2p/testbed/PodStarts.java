package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every pod a namespace has had, by name: a name that saw a second UID is a pod that started again. */
public final class PodStarts implements AutoCloseable {

  private final Map<String, Set<String>> uids = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> informer;

  public PodStarts(KubernetesClient client, String namespace) {
    informer = client.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        uids.computeIfAbsent(pod.getMetadata().getName(), name -> ConcurrentHashMap.newKeySet())
            .add(pod.getMetadata().getUid());
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        onAdd(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        // a deleted pod's UID stays counted: its successor is a restart
      }
    });
  }

  /** The UIDs each pod name has had. */
  public Map<String, Set<String>> uids() {
    return Map.copyOf(uids);
  }

  /** Pods started again: for each name, its UIDs beyond the first. */
  public int restarts() {
    return uids.values().stream().mapToInt(set -> set.size() - 1).sum();
  }

  /** What the namespace's pods are now, as the informer sees them. */
  public SharedIndexInformer<Pod> informer() {
    return informer;
  }

  @Override
  public void close() {
    informer.close();
  }
}
