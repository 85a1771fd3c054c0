package io.sei.p2p.webhook;

import static io.sei.p2p.webhook.Reviews.JSON;
import static io.sei.p2p.webhook.Reviews.ROUTABLE;
import static io.sei.p2p.webhook.Reviews.recorded;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sei.p2p.certs.CertificateAuthority;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The webhook over real HTTPS: what the apiserver's client sees. */
@ExtendWith(VertxExtension.class)
class WebhookServerTest {

  private static final CertificateAuthority CA = CertificateAuthority.create("test-ca", Duration.ofDays(1),
      Clock.systemUTC());

  @TempDir
  Path tls;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private WebhookServer server;
  private HttpClient client;
  private HttpClient probe;
  private Context context;
  private Promise<Owner> slowOwner;
  private final CountDownLatch ownerAsked = new CountDownLatch(1);

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    context = vertx.getOrCreateContext();
    writeServingCertificate("first");
    slowOwner = null;
    OwnerLookup owners = new OwnerLookup() {
      @Override
      public Future<Owner> find(String namespace, String name) {
        if (slowOwner == null) {
          return Future.succeededFuture(new Owner.NotFound(name));
        }
        ownerAsked.countDown();
        return slowOwner.future();
      }

      @Override
      public boolean ready() {
        return true;
      }
    };
    AdmissionService service = new AdmissionService(Endpoints.all(ROUTABLE, owners, Reviews.ANYONE),
        new ReviewMetrics(registry),
        AdmissionService.ReviewTap.NONE);
    WebhookConfig config = WebhookConfig.fromEnv(Map.of("WEBHOOK_PORT", "0", "HEALTH_PORT", "0",
        "TLS_CERT_FILE", tls.resolve("tls.crt").toString(), "TLS_KEY_FILE", tls.resolve("tls.key").toString(),
        "SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7", "SHUTDOWN_DRAIN_SECONDS", "0", "TLS_POLL_SECONDS", "1",
        "REQUEST_TIMEOUT_SECONDS", "2", "MAX_IN_FLIGHT", "8"));
    server = await(WebhookServer.start(vertx, config, service, owners::ready, registry));
    client = vertx.createHttpClient(clientOptions());
    probe = vertx.createHttpClient(clientOptions());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    probe.close();
    if (server != null) {
      await(server.shutdown(Duration.ZERO, Duration.ofSeconds(5)));
    }
  }

  @Test
  void everyRecordedReviewIsAnsweredOverHttpsWithItsUid(VertxTestContext context) {
    Map<String, String> fixtures = Reviews.allRecorded();
    assertThat(fixtures).hasSize(11);
    var checkpoint = context.checkpoint(fixtures.size());
    fixtures.forEach((name, path) -> post(path, Buffer.buffer(recorded(name))).onComplete(context.succeeding(
        reply -> context.verify(() -> {
          assertThat(reply.status()).isEqualTo(200);
          assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_1_1);
          JsonNode review = JSON.readTree(reply.body().getBytes());
          assertThat(review.at("/response/uid").asText()).isEqualTo(Reviews.uidOf(recorded(name)));
          checkpoint.flag();
        }))));
  }

  @Test
  void http2IsNeverNegotiated(Vertx vertx) throws Exception {
    HttpClient h2Client = vertx.createHttpClient(clientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setUseAlpn(true));
    try {
      Reply reply = await(post(h2Client, Endpoints.MUTATE_SEINODES, Buffer.buffer(recorded("mutate-seinode-legacy"))));
      assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_1_1);
      assertThat(reply.status()).isEqualTo(200);
    } finally {
      h2Client.close();
    }
  }

  @Test
  void anOversizedBodyIs413OverTheWire() throws Exception {
    Reply reply = await(post(Endpoints.VALIDATE_SEINODES, Buffer.buffer(new byte[AdmissionService.MAX_BODY_BYTES + 1])));

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.body().toString()).startsWith("body exceeds the limit of 8388608 bytes");
  }

  @Test
  void aBodyThatNeverArrivesIsAnsweredNotWaitedOn() throws Exception {
    Reply reply = await(onEventLoop(() -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(server.httpsPort()).setURI(Endpoints.VALIDATE_SEINODES)
            .putHeader("Content-Type", "application/json").putHeader("Content-Length", "1000"))
        .compose(request -> {
          request.write("{\"apiVersion\":"); // and then nothing more
          return request.response();
        })
        .compose(WebhookServerTest::read)));

    assertThat(reply.status()).isEqualTo(408);
    assertThat(reply.body().toString()).startsWith("the request body did not arrive within 2 s");
  }

  @Test
  void healthReadinessAndMetrics(Vertx vertx) throws Exception {
    await(post(Endpoints.MUTATE_SEINODES, Buffer.buffer(recorded("mutate-seinode-legacy"))));
    HttpClient plain = vertx.createHttpClient();
    try {
      assertThat(await(get(plain, "/healthz")).status()).isEqualTo(200);
      assertThat(await(get(plain, "/readyz")).status()).isEqualTo(200);
      Reply metrics = await(get(plain, "/metrics"));
      assertThat(metrics.body().toString()).contains(
          "sei_webhook_reviews_seconds_count{decision=\"patched\",endpoint=\"/mutate/seinodes\"} 1");
    } finally {
      plain.close();
    }
  }

  @Test
  void aRotatedCertificateIsServedWithoutRestartOrFailedRequests() throws Exception {
    X509Certificate before = await(presentedCertificate());
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
      long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
      java.net.http.HttpClient jdk = null;
      for (int i = 0; System.nanoTime() < until; i++) {
        if (i % 10 == 0) {
          jdk = jdkClient(); // a new client every ten requests: new connections, new TLS handshakes
        }
        try {
          int status = jdk.send(HttpRequest.newBuilder(
                  URI.create("https://127.0.0.1:" + server.httpsPort() + Endpoints.MUTATE_SEINODES))
                  .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(recorded("mutate-seinode-legacy")))
                  .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
          (status == 200 ? answered : failures).incrementAndGet();
        } catch (Exception e) {
          failures.incrementAndGet();
        }
      }
    });

    while (answered.get() < 10 && !load.isDone()) {
      Thread.sleep(20); // the load is running
    }
    writeServingCertificate("second");
    X509Certificate after = before;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (after.equals(before) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      after = await(presentedCertificate());
    }
    load.get(20, TimeUnit.SECONDS);

    assertThat(after.getSubjectX500Principal().getName()).isEqualTo("CN=second");
    assertThat(failures.get()).as("requests that failed during rotation").isZero();
    assertThat(answered.get()).isGreaterThan(100);
  }

  @Test
  void aCertificateAndKeyThatDoNotMatchAreNeverServedAndTheNextMatchingPairIs() throws Exception {
    IssuedCertificate next = CA.issueServing("next", List.of("127.0.0.1", "localhost"), Duration.ofHours(1));
    replace(tls.resolve("tls.crt"), next.certificatePem()); // the key on disk is still the first one's

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (reloads("refused") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(reloads("refused")).as("the mismatched pair was seen and refused").isPositive();
    assertThat(await(presentedCertificate()).getSubjectX500Principal().getName()).isEqualTo("CN=first");
    assertThat(await(post(Endpoints.MUTATE_SEINODES, Buffer.buffer(recorded("mutate-seinode-legacy")))).status())
        .isEqualTo(200);

    replace(tls.resolve("tls.key"), next.privateKeyPem());
    X509Certificate presented = await(presentedCertificate());
    while (!presented.getSubjectX500Principal().getName().equals("CN=next") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      presented = await(presentedCertificate());
    }
    assertThat(presented.getSubjectX500Principal().getName()).isEqualTo("CN=next");
    assertThat(reloads("reloaded")).isEqualTo(1);
  }

  @Test
  void tls12OffersOnlyForwardSecretAeadSuites() throws Exception {
    assertThat(handshake("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assertThat(handshake("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")).as("CBC refused").isEqualTo("refused");
    assertThat(handshake("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384")).as("CBC refused").isEqualTo("refused");
  }

  @Test
  void reviewsBeyondTheCapAreAnswered429AndTheCapFreesAsTheyFinish(Vertx vertx) throws Exception {
    List<HttpClient> clients = new ArrayList<>();
    List<Future<Reply>> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) { // the cap in this test's configuration; each waits for a body that never comes
        HttpClient own = vertx.createHttpClient(clientOptions());
        clients.add(own);
        stalled.add(stalledPost(own));
      }
      while (registry.get("sei_webhook_reviews_in_flight").gauge().value() < 8) {
        Thread.sleep(20); // all eight are in flight
      }
      Reply refused = await(post(Endpoints.MUTATE_SEINODES, Buffer.buffer(recorded("mutate-seinode-legacy"))));
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.body().toString()).startsWith("too many admission reviews in flight (at most 8); retry");
      for (Future<Reply> one : stalled) {
        assertThat(await(one).status()).as("answered when its body did not come").isEqualTo(408);
      }
      assertThat(await(post(Endpoints.MUTATE_SEINODES, Buffer.buffer(recorded("mutate-seinode-legacy")))).status())
          .isEqualTo(200);
    } finally {
      clients.forEach(HttpClient::close);
    }
  }

  private Future<Reply> stalledPost(HttpClient httpClient) {
    return onEventLoop(() -> httpClient.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(server.httpsPort()).setURI(Endpoints.VALIDATE_SEINODES)
            .putHeader("Content-Type", "application/json").putHeader("Content-Length", "1000"))
        .compose(request -> {
          request.write("{\"apiVersion\":");
          return request.response();
        })
        .compose(WebhookServerTest::read));
  }

  /** The suite a TLS 1.2 handshake offering only {@code suite} agrees on, or "refused". */
  private String handshake(String suite) throws Exception {
    SSLContext ssl = CA.clientContext("TLSv1.2");
    try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", server.httpsPort())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.setEnabledCipherSuites(new String[] {suite});
      socket.startHandshake();
      return socket.getSession().getCipherSuite();
    } catch (SSLHandshakeException refused) {
      return "refused";
    }
  }

  private double reloads(String outcome) {
    var counter = registry.find("sei_webhook_certificate_reloads").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The JDK's HTTP/1.1 client trusting the test CA. */
  private static java.net.http.HttpClient jdkClient() {
    return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
        .sslContext(CA.clientContext("TLS")).build();
  }


  /**
   * On SIGTERM: /readyz fails at once; after the drain delay the server stops, yet a review still in flight then is
   * answered; idle keep-alive connections are closed (the apiserver would otherwise keep using them).
   */
  @Test
  void shutdownFailsReadinessDrainsAnswersInFlightReviewsAndClosesIdleConnections(Vertx vertx) throws Exception {
    slowOwner = Promise.promise();
    Future<Reply> inFlight = post(Endpoints.VALIDATE_STATEFULSETS, Buffer.buffer(recorded("validate-statefulset-held")));
    assertThat(ownerAsked.await(5, TimeUnit.SECONDS)).as("the review waits for its owner lookup").isTrue();
    try (SSLSocket idle = keptAliveConnection()) {
      Duration drain = Duration.ofMillis(300);
      Future<Void> stopping = server.shutdown(drain, Duration.ofSeconds(5));
      HttpClient plain = vertx.createHttpClient();
      assertThat(await(get(plain, "/readyz")).status()).isEqualTo(503);
      plain.close();
      // the review outlasts the drain: it is still in flight while the server stops
      vertx.setTimer(drain.toMillis() + 700, id -> slowOwner.complete(new Owner.NotFound("gated")));

      Reply reply = await(inFlight);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(JSON.readTree(reply.body().getBytes()).at("/response/allowed").asBoolean()).isTrue();
      await(stopping);
      idle.setSoTimeout(5000);
      assertThat(idle.getInputStream().read()).as("the idle connection was closed by the server").isEqualTo(-1);
    }
    server = null;
  }

  /** A TLS connection that has carried one review and now sits idle, kept alive. */
  private SSLSocket keptAliveConnection() throws Exception {
    SSLContext ssl = CA.clientContext("TLS");
    SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", server.httpsPort());
    byte[] body = recorded("mutate-seinode-legacy");
    socket.getOutputStream().write(("POST " + Endpoints.MUTATE_SEINODES + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(body);
    socket.getOutputStream().flush();
    BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
        StandardCharsets.ISO_8859_1));
    int length = 0;
    for (String line = reader.readLine(); !line.isEmpty(); line = reader.readLine()) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    assertThat(reader.skip(length)).isEqualTo(length);
    return socket;
  }

  private HttpClientOptions clientOptions() {
    return new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(CA.certificate().certificatePem())));
  }

  private void writeServingCertificate(String commonName) throws Exception {
    IssuedCertificate serving = CA.issueServing(commonName, List.of("127.0.0.1", "localhost"), Duration.ofHours(1));
    // a Secret volume swaps files atomically; do the same so that the key always matches the certificate
    replace(tls.resolve("tls.key"), serving.privateKeyPem());
    replace(tls.resolve("tls.crt"), serving.certificatePem());
  }

  private static void replace(Path file, String content) throws Exception {
    Path temp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The certificate a new connection is served ("Connection: close" keeps the pool from reusing one). */
  private Future<X509Certificate> presentedCertificate() {
    return onEventLoop(() -> probe.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(server.httpsPort()).setURI("/healthz").putHeader("Connection", "close"))
        .compose(request -> {
          X509Certificate presented;
          try {
            presented = (X509Certificate) request.connection().sslSession().getPeerCertificates()[0];
          } catch (SSLPeerUnverifiedException e) {
            return Future.failedFuture(e);
          }
          return request.send().compose(HttpClientResponse::body).map(ignored -> presented);
        }));
  }

  private Future<Reply> post(String path, Buffer body) {
    return post(client, path, body);
  }

  private Future<Reply> post(HttpClient httpClient, String path, Buffer body) {
    return onEventLoop(() -> httpClient.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(server.httpsPort()).setURI(path + "?timeout=5s").putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(body))
        .compose(WebhookServerTest::read));
  }

  private Future<Reply> get(HttpClient plain, String path) {
    return onEventLoop(() -> plain.request(HttpMethod.GET, server.healthPort(), "127.0.0.1", path)
        .compose(request -> request.send())
        .compose(WebhookServerTest::read));
  }

  /**
   * Runs a client exchange on an event loop: chained from a test thread, {@code response.body()} could attach
   * after the body has already streamed past, and never complete.
   */
  private <T> Future<T> onEventLoop(Supplier<Future<T>> exchange) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> exchange.get().onComplete(promise));
    return promise.future();
  }

  private static Future<Reply> read(HttpClientResponse response) {
    return response.body().map(body -> new Reply(response.statusCode(), response.version(), body));
  }

  private record Reply(int status, HttpVersion version, Buffer body) {
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
