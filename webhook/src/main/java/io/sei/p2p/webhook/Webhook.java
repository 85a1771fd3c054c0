package io.sei.p2p.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sei.p2p.net.Routability;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The assembled webhook: rules, owner cache, servers. The one place that wires them together. */
public final class Webhook implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  /** Within the manifests' startupProbe (two minutes): a loaded apiserver may take a while to hand over the certificate. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** The apiserver gives up on a review after timeoutSeconds (5): waiting longer for one helps nobody. */
  private static final Duration IN_FLIGHT_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final SelfSignedCertificates selfSigned;
  private final InformerOwnerLookup owners;
  private final WebhookServer server;
  private final WebhookConfig config;

  private Webhook(Vertx vertx, SelfSignedCertificates selfSigned, InformerOwnerLookup owners, WebhookServer server,
      WebhookConfig config) {
    this.vertx = vertx;
    this.selfSigned = selfSigned;
    this.owners = owners;
    this.server = server;
    this.config = config;
  }

  /** Starts serving; {@code tap} sees each review body (use {@link AdmissionService.ReviewTap#NONE}). */
  public static Webhook start(WebhookConfig config, KubernetesClient client, AdmissionService.ReviewTap tap) {
    Routability cluster = config.routability();
    LOG.info("tcp publication on this cluster: {} ({})", cluster.routable() ? "allowed" : "refused", cluster.reason());
    // no file cache and no classpath resolving: both write under java.io.tmpdir, and the pod's root filesystem is
    // read-only (the webhook serves no files)
    Vertx vertx = Vertx.vertx(new VertxOptions().setFileSystemOptions(new FileSystemOptions()
        .setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    SelfSignedCertificates selfSigned = null;
    if (config.tlsMode() == WebhookConfig.TlsMode.SELF_SIGNED) {
      selfSigned = new SelfSignedCertificates(client, vertx, config);
      selfSigned.start(START_TIMEOUT);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InformerOwnerLookup owners = new InformerOwnerLookup(vertx, client, registry, config.watchNamespaces());
    owners.start();
    AdmissionService service = new AdmissionService(
        Endpoints.all(cluster, owners, new SubjectAccessReviews(vertx, client, registry)), new ReviewMetrics(registry),
        tap);
    try {
      WebhookServer server = WebhookServer.start(vertx, config, service, owners::ready, registry)
          .toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new Webhook(vertx, selfSigned, owners, server, config);
    } catch (ExecutionException | TimeoutException e) {
      owners.close();
      if (selfSigned != null) {
        selfSigned.close();
      }
      vertx.close();
      throw new IllegalStateException("the webhook could not start: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the webhook", e);
    }
  }

  public int httpsPort() {
    return server.httpsPort();
  }

  public int healthPort() {
    return server.healthPort();
  }

  /** Graceful stop as on SIGTERM: unready, drain, finish in-flight reviews, close connections. */
  @Override
  public void close() {
    try {
      server.shutdown(config.drainDelay(), IN_FLIGHT_TIMEOUT).toCompletionStage().toCompletableFuture()
          .get(config.drainDelay().plus(IN_FLIGHT_TIMEOUT).toSeconds() + 5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("shutdown did not complete cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      owners.close();
      if (selfSigned != null) {
        selfSigned.close();
      }
      vertx.close();
    }
  }
}
