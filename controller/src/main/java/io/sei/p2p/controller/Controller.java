package io.sei.p2p.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.rate.LinearRateLimiter;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.Gauge;
import io.sei.p2p.model.SeiNodeDeployment;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The assembled controller: both reconcilers on one operator, leader election, health endpoints. */
public final class Controller implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  private static final Duration MAX_RETRY_INTERVAL = Duration.ofMinutes(5);
  public static final Duration LEASE_DURATION = Duration.ofSeconds(40);
  private static final Duration RENEW_DEADLINE = Duration.ofSeconds(30);
  private static final Duration RETRY_PERIOD = Duration.ofSeconds(4);
  /** How long a stop waits for reconciles in flight: well inside a pod's termination grace period. */
  private static final Duration IN_FLIGHT_TIMEOUT = Duration.ofSeconds(5);

  private final Operator operator;
  private final HttpServer health;
  private final KubernetesClient client;
  private final ControllerConfig config;
  private final String identity;
  private final AtomicBoolean closing;

  private Controller(Operator operator, HttpServer health, KubernetesClient client, ControllerConfig config,
      String identity, AtomicBoolean closing) {
    this.operator = operator;
    this.health = health;
    this.client = client;
    this.config = config;
    this.identity = identity;
    this.closing = closing;
  }

  /**
   * Starts reconciling.
   *
   * @param onFatal what to do when this replica can no longer do its work: another replica took the Lease while it
   *                ran, or a cache stopped for good (in production: exit, so that the pod restarts, lists afresh
   *                and campaigns again); not called because of {@link #close}
   * @throws io.javaoperatorsdk.operator.OperatorException when a cache cannot start (a permission missing, say)
   */
  public static Controller start(ControllerConfig config, KubernetesClient client, Runnable onFatal) {
    LOG.info("tcp publication on this cluster: {}", config.clusterRoutability().reason());
    // every lookup asks DNS again: a cached "no such host" would hold a node back after its NLB's name appeared
    Security.setProperty("networkaddress.cache.negative.ttl", "0");
    String identity = "sei-p2p-controller-" + UUID.randomUUID();
    AtomicBoolean closing = new AtomicBoolean();
    Operator operator = new Operator(overrider -> {
      overrider.withKubernetesClient(client).withCloseClientOnStop(false)
          .withReconciliationTerminationTimeout(IN_FLIGHT_TIMEOUT)
          // the operator's own handler would System.exit from an informer's thread
          .withInformerStoppedHandler((informer, failure) -> {
            if (failure != null && !closing.get()) {
              LOG.error("a cache stopped for good: {}", informer, failure);
              onFatal.run();
            }
          });
      if (config.leaderElection()) {
        // never System.exit from the operator: on SIGTERM it would run inside the JVM's shutdown and deadlock it
        overrider.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(ControllerConfig.LEASE_NAME)
            .withLeaseNamespace(config.leaseNamespace())
            .withIdentity(identity)
            // a leader keeps its Lease through an apiserver outage of up to RENEW_DEADLINE; a standby takes a
            // crashed leader's Lease after LEASE_DURATION (a stopping leader releases it at once)
            .withLeaseDuration(LEASE_DURATION).withRenewDeadline(RENEW_DEADLINE).withRetryPeriod(RETRY_PERIOD)
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(new LeaderCallbacks(() -> { }, () -> {
              if (!closing.get()) {
                LOG.error("lost the Lease {}/{} to another replica", config.leaseNamespace(),
                    ControllerConfig.LEASE_NAME);
                onFatal.run();
              }
            }, leader -> { }))
            .build());
      }
    });
    ControllerMetrics metrics = new ControllerMetrics();
    // at most one reconcile a second per object coalesces bursts: a node's peers publish in waves, and a deployment's
    // status follows its children
    operator.register(new SeiNodeReconciler(config, metrics, Dns.system()), settings(config));
    // on all events, the deletion included: it keeps its Retain finalizer itself
    operator.register(new SeiNodeDeploymentReconciler(metrics),
        Controller.<SeiNodeDeployment>settings(config)
            .andThen(overrider -> overrider.withTriggerReconcilerOnAllEvents(true)));
    // health first: the liveness probe must see a live process while its caches sync, which on a loaded cluster takes
    // longer than the probe waits; /readyz says when they have
    HttpServer health = healthServer(config.healthPort(), operator, metrics);
    try {
      operator.start();
    } catch (RuntimeException e) {
      health.stop(0);
      throw e;
    }
    return new Controller(operator, health, client, config, identity, closing);
  }

  public int healthPort() {
    return health.getAddress().getPort();
  }

  /**
   * Stops: reconciles in flight finish (or are cut after a few seconds), then the Lease is released, so that a
   * standby replica takes over at once instead of waiting for it to expire.
   */
  @Override
  public void close() {
    closing.set(true);
    health.stop(0);
    operator.stop();
    if (config.leaderElection()) {
      releaseLease();
    }
  }

  private void releaseLease() {
    try {
      client.resources(Lease.class).inNamespace(config.leaseNamespace()).withName(ControllerConfig.LEASE_NAME)
          .edit(lease -> {
            if (identity.equals(lease.getSpec().getHolderIdentity())) {
              lease.getSpec().setHolderIdentity(null);
              lease.getSpec().setLeaseDurationSeconds(1);
            }
            return lease;
          });
      LOG.info("released the Lease {}/{}", config.leaseNamespace(), ControllerConfig.LEASE_NAME);
    } catch (KubernetesClientException e) {
      LOG.warn("could not release the Lease {}/{}; it expires by itself: {}", config.leaseNamespace(),
          ControllerConfig.LEASE_NAME, e.getMessage());
    }
  }

  /** Watched namespaces, retries that never run out (backing off to 5 minutes), and the rate limit. */
  private static <R extends HasMetadata> Consumer<ControllerConfigurationOverrider<R>> settings(
      ControllerConfig config) {
    return overrider -> {
      if (!config.watchNamespaces().isEmpty()) {
        overrider.settingNamespaces(config.watchNamespaces());
      }
      overrider.withRetry(new GenericRetry().setInitialInterval(Duration.ofSeconds(1)).setIntervalMultiplier(2)
          .setMaxInterval(MAX_RETRY_INTERVAL.toMillis()).withoutMaxAttempts());
      overrider.withRateLimiter(new LinearRateLimiter(Duration.ofSeconds(1), 1));
      overrider.withItemStore(Slim.store(Slim::withoutBookkeeping));
    };
  }

  private static HttpServer healthServer(int port, Operator operator, ControllerMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext("/healthz", exchange -> reply(exchange, 200, "ok"));
      server.createContext("/readyz", exchange -> {
        boolean ready = operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
        reply(exchange, ready ? 200 : 503, ready ? "ok" : "informers not healthy yet");
      });
      Gauge.builder("sei_controller_event_sources_healthy",
              () -> operator.getRuntimeInfo().allEventSourcesAreHealthy() ? 1 : 0)
          .description("Whether every informer is healthy").register(metrics.registry());
      server.createContext("/metrics", exchange -> reply(exchange, 200, metrics.scrape()));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health on port " + port, e);
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
