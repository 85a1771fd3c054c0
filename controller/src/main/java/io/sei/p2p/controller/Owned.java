package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * The objects one owner (a SeiNode or a SeiNodeDeployment) controls: read from the informer caches, written
 * through {@link Apply}. A write is remembered in its informer's cache at once, so the next reconcile sees it even
 * before the watch delivers it (and that event does not trigger another reconcile).
 */
final class Owned<P extends HasMetadata> implements ObjectStore {

  private final P owner;
  private final Context<P> context;
  private final Apply apply;

  Owned(P owner, Context<P> context, Apply apply) {
    this.owner = owner;
    this.context = context;
    this.apply = apply;
  }

  /** The cached object of {@code type} named {@code name} in the owner's namespace (null: none cached). */
  @Override
  public <R extends HasMetadata> R get(Class<R> type, String name) {
    return informer(type).get(new ResourceID(name, owner.getMetadata().getNamespace())).orElse(null);
  }

  /** {@code desired}, controlled by the owner, made true in the cluster; never takes over someone else's object. */
  @Override
  @SuppressWarnings("unchecked")
  public <R extends HasMetadata> R ensure(R desired) {
    Class<R> type = (Class<R>) desired.getClass();
    R cached = get(type, desired.getMetadata().getName());
    R result = apply.ensure(Apply.ownedBy(desired, owner), cached);
    if (result != cached) {
      if (cached == null) {
        informer(type).handleRecentResourceCreate(ResourceID.fromResource(owner), result);
      } else {
        informer(type).handleRecentResourceUpdate(ResourceID.fromResource(owner), result, cached);
      }
    }
    return result;
  }

  /** The one event source of the owner's controller for {@code type}. */
  @SuppressWarnings("unchecked")
  private <R extends HasMetadata> InformerEventSource<R, P> informer(Class<R> type) {
    return (InformerEventSource<R, P>) context.eventSourceRetriever().getEventSourceFor(type);
  }

  @Override
  public void delete(HasMetadata object) {
    apply.delete(object);
  }
}
