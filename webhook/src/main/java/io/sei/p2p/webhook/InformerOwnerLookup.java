package io.sei.p2p.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers from informer caches of SeiNodes (no API call in steady state): one for all namespaces, or one per watched
 * namespace (the namespaced install, whose Roles allow no more). A miss (a node created moments ago) costs one live
 * GET, run off the event loop; an API error there fails closed.
 */
final class InformerOwnerLookup implements OwnerLookup, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InformerOwnerLookup.class);

  private final Vertx vertx;
  private final KubernetesClient client;
  private final List<SharedIndexInformer<SeiNode>> informers;
  private final Counter liveLookups;

  /** @param namespaces the watched namespaces; empty: all */
  InformerOwnerLookup(Vertx vertx, KubernetesClient client, MeterRegistry registry, Set<String> namespaces) {
    this.vertx = vertx;
    this.client = client;
    this.informers = namespaces.isEmpty()
        ? List.of(client.resources(SeiNode.class).inAnyNamespace().runnableInformer(0))
        : namespaces.stream()
            .map(namespace -> client.resources(SeiNode.class).inNamespace(namespace).runnableInformer(0)).toList();
    this.liveLookups = Counter.builder("sei_webhook_owner_live_lookups")
        .description("SeiNode lookups the informer cache could not answer (each one live GET)")
        .register(registry);
    Gauge.builder("sei_webhook_seinode_cache_watching", this,
            lookup -> lookup.informers.stream().allMatch(SharedIndexInformer::isWatching) ? 1 : 0)
        .description("1 while every SeiNode informer is watching; 0 while one is (re)connecting")
        .register(registry);
  }

  void start() {
    for (SharedIndexInformer<SeiNode> informer : informers) {
      // whatever stops the cache (a permission not granted yet, the apiserver away) is retried with backoff for as
      // long as it lasts, not only once it has synced; /readyz says whether it has
      informer.exceptionHandler((started, failure) -> {
        LOG.warn("SeiNode cache: {}; retrying", String.valueOf(failure.getMessage()).lines().findFirst().orElse(""));
        return true;
      });
      informer.start();
    }
  }

  /**
   * Synced once. A watch that drops later (the apiserver restarting, then the informer's reconnect backoff of up to
   * 32 s) does not make the webhook unready: its defaulting and validation need no cache, the gate answers a hit from
   * the last state seen and checks a miss live (failing closed while the apiserver is away), and an unready webhook
   * would refuse every SeiNode write in the meantime. {@code sei_webhook_seinode_cache_watching} shows the watch.
   */
  @Override
  public boolean ready() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public Future<Owner> find(String namespace, String name) {
    String key = Cache.namespaceKeyFunc(namespace, name);
    SeiNode cached = informers.stream().map(informer -> informer.getStore().getByKey(key)).filter(Objects::nonNull)
        .findFirst().orElse(null);
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
    informers.forEach(SharedIndexInformer::close);
  }
}
