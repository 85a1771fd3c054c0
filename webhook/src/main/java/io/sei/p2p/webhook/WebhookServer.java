package io.sei.p2p.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS admission server (HTTP/1.1 only: the apiserver's webhook client offers nothing else, and leaving
 * HTTP/2 off avoids its rapid-reset class of attacks) and the plain health/metrics server.
 */
public final class WebhookServer {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  private static final Set<String> TLS_VERSIONS = Set.of("TLSv1.2", "TLSv1.3");
  /** TLS 1.3's suites, and TLS 1.2's forward-secret AEAD ones (no CBC). */
  static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  /** Longer than the apiserver keeps idle webhook connections (90 s), so it is the apiserver that closes them. */
  private static final int IDLE_TIMEOUT_SECONDS = 120;

  private final Vertx vertx;
  private final AdmissionService service;
  private final BooleanSupplier ready;
  private final PrometheusMeterRegistry registry;
  private final CertificateFiles certificates;
  private HttpServer https;
  private HttpServer health;
  private long certTimer = -1;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final int maxInFlight;
  private volatile boolean draining;

  private WebhookServer(Vertx vertx, AdmissionService service, BooleanSupplier ready,
      PrometheusMeterRegistry registry, CertificateFiles certificates, int maxInFlight) {
    this.vertx = vertx;
    this.maxInFlight = maxInFlight;
    Gauge.builder("sei_webhook_reviews_in_flight", inFlight, AtomicInteger::get)
        .description("Admission reviews being served now (at most MAX_IN_FLIGHT)").register(registry);
    this.service = service;
    this.ready = ready;
    this.registry = registry;
    this.certificates = certificates;
  }

  /** Listens on both ports; {@code ready} gates /readyz (e.g. the owner cache has synced). */
  public static Future<WebhookServer> start(Vertx vertx, WebhookConfig config, AdmissionService service,
      BooleanSupplier ready, PrometheusMeterRegistry registry) {
    WebhookServer server = new WebhookServer(vertx, service, ready, registry,
        new CertificateFiles(config.certFile(), config.keyFile()), config.maxInFlight());
    return server.listen(config);
  }

  public int httpsPort() {
    return https.actualPort();
  }

  public int healthPort() {
    return health.actualPort();
  }

  private Future<WebhookServer> listen(WebhookConfig config) {
    HttpServerOptions options = new HttpServerOptions().setPort(config.httpsPort()).setSsl(true);
    options.setIdleTimeout(IDLE_TIMEOUT_SECONDS).setKeyCertOptions(certificates.load());
    hardened(options.getSslOptions()); // the live TLS options, set as every reload sets them
    https = vertx.createHttpServer(options).requestHandler(admissionRouter(config.requestTimeout()));
    health = vertx.createHttpServer(new HttpServerOptions().setPort(config.healthPort()).setHttp2ClearTextEnabled(false))
        .requestHandler(healthRouter());
    return https.listen()
        .compose(ignored -> health.listen())
        .map(ignored -> {
          certTimer = vertx.setPeriodic(config.certPollInterval().toMillis(), id -> reloadCertificateIfChanged());
          LOG.info("serving admission reviews on :{} (HTTPS) and health on :{}", https.actualPort(),
              health.actualPort());
          return this;
        });
  }

  private Router admissionRouter(Duration requestTimeout) {
    Router router = Router.router(vertx);
    // a bounded number of reviews at a time: bodies may be large, and the pod's memory is not
    router.route().handler(this::admitWithinCap);
    // a body that never completes is answered, not waited on forever
    router.route().handler(TimeoutHandler.create(requestTimeout.toMillis(), 408));
    router.route().handler(BodyHandler.create(false).setBodyLimit(AdmissionService.MAX_BODY_BYTES));
    router.route().handler(this::admit);
    router.errorHandler(413, ctx -> send(ctx, HttpReply.error(413,
        "body exceeds the limit of " + AdmissionService.MAX_BODY_BYTES + " bytes")));
    router.errorHandler(400, ctx -> send(ctx, HttpReply.error(400, "unreadable request body")));
    router.errorHandler(408, ctx -> send(ctx, HttpReply.error(408, "the request body did not arrive within "
        + requestTimeout.toSeconds() + " s")));
    return router;
  }

  private void admitWithinCap(RoutingContext ctx) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      // its body is not read, so the connection cannot carry another request
      ctx.response().putHeader("Retry-After", "1").putHeader("Connection", "close");
      send(ctx, HttpReply.error(429, "too many admission reviews in flight (at most " + maxInFlight + "); retry"));
      return;
    }
    ctx.addEndHandler(ended -> inFlight.decrementAndGet());
    ctx.next();
  }

  private void admit(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    service.handle(ctx.normalizedPath(), ctx.request().method().name(), ctx.request().getHeader("Content-Type"),
            body == null ? new byte[0] : body.getBytes())
        .onComplete(reply -> send(ctx, reply.succeeded() ? reply.result()
            : HttpReply.error(503, "the webhook could not answer: " + reply.cause().getClass().getSimpleName())));
  }

  private Router healthRouter() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> send(ctx, HttpReply.error(200, "ok")));
    router.get("/readyz").handler(ctx -> send(ctx, draining ? HttpReply.error(503, "shutting down")
        : ready.getAsBoolean() ? HttpReply.error(200, "ok") : HttpReply.error(503, "SeiNode cache not synced yet")));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    return router;
  }

  private static void send(RoutingContext ctx, HttpReply reply) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(reply.status()).putHeader("Content-Type", reply.contentType())
          .end(Buffer.buffer(reply.body()));
    }
  }

  /** A failed or refused update keeps the current pair and is tried again at the next poll. */
  private void reloadCertificateIfChanged() {
    try {
      certificates.changed().ifPresent(pair -> https.updateSSLOptions(sslOptions(pair.options()), true)
          .onSuccess(updated -> {
            certificates.using(pair);
            reloaded("reloaded");
            LOG.info("serving certificate reloaded from disk");
          })
          .onFailure(e -> {
            reloaded("failed");
            LOG.warn("new serving certificate not usable yet, keeping the current one: {}", e.getMessage());
          }));
    } catch (RuntimeException e) {
      reloaded("refused");
      LOG.warn("cannot use the serving certificate files, keeping the current one: {}", e.getMessage());
    }
  }

  private void reloaded(String outcome) {
    Counter.builder("sei_webhook_certificate_reloads")
        .description("Serving certificate changes on disk, by outcome: reloaded, refused (unreadable or not a "
            + "matching pair) or failed (the server did not take it)")
        .tag("outcome", outcome).register(registry).increment();
  }

  private static ServerSSLOptions sslOptions(PemKeyCertOptions keyCert) {
    return hardened(new ServerSSLOptions().setKeyCertOptions(keyCert));
  }

  /** TLS 1.2 and 1.3 with the listed suites only, and no ALPN (HTTP/1.1 only), at startup as at every reload. */
  private static ServerSSLOptions hardened(ServerSSLOptions options) {
    options.setEnabledSecureTransportProtocols(TLS_VERSIONS).setUseAlpn(false);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /**
   * Graceful stop: fail /readyz first so endpoints drop this pod, wait {@code drainDelay}, then stop accepting,
   * let in-flight reviews finish (up to {@code timeout}) and close every connection, idle keep-alive ones included.
   */
  public Future<Void> shutdown(Duration drainDelay, Duration timeout) {
    draining = true;
    vertx.cancelTimer(certTimer);
    Future<Void> drained = drainDelay.isZero() ? Future.succeededFuture()
        : Future.future(promise -> vertx.setTimer(drainDelay.toMillis(), id -> promise.complete()));
    return drained
        .compose(ignored -> https.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .compose(ignored -> health.close());
  }
}
