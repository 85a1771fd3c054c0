package io.sei.p2p.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.rules.StatefulSetGate.Owner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Answers from an informer cache of SeiNodes (no API call in steady state). A miss (a node created moments ago)
 * costs one live GET, run off the event loop; an API error there fails closed.
 */
final class InformerOwnerLookup implements OwnerLookup, AutoCloseable {

  private final Vertx vertx;
  private final KubernetesClient client;
  private final SharedIndexInformer<SeiNode> informer;
  private final Counter liveLookups;

  InformerOwnerLookup(Vertx vertx, KubernetesClient client, MeterRegistry registry) {
    this.vertx = vertx;
    this.client = client;
    this.informer = client.resources(SeiNode.class).inAnyNamespace().runnableInformer(0);
    this.liveLookups = Counter.builder("sei_webhook_owner_live_lookups")
        .description("SeiNode lookups the informer cache could not answer (each one live GET)")
        .register(registry);
  }

  void start() {
    informer.start();
  }

  @Override
  public boolean ready() {
    return informer.hasSynced();
  }

  @Override
  public Future<Owner> find(String namespace, String name) {
    SeiNode cached = informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
    if (cached != null) {
      return Future.succeededFuture(new Owner.Found(cached));
    }
    liveLookups.increment();
    return vertx.executeBlocking(() -> {
      try {
        SeiNode live = client.resources(SeiNode.class).inNamespace(namespace).withName(name).get();
        return live == null ? new Owner.NotFound(name) : new Owner.Found(live);
      } catch (KubernetesClientException e) {
        return new Owner.Unknown(name, "API error " + e.getCode() + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }, false);
  }

  @Override
  public void close() {
    informer.close();
  }
}
