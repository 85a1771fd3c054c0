package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.controller.ControllerMain;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.webhook.WebhookMain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The webhook benchmark of BENCHMARKS.md. On a local control plane it serves three recorded AdmissionReviews (the
 * legacy-defaulting mutation, a validating denial with two causes, and the StatefulSet gate answered from the SeiNode
 * cache) from three servers with one ECDSA certificate: the webhook, with the JVM settings and memory limit its image
 * and manifest give it; {@code bench/gopeer}, the same decisions written with controller-runtime; and nginx answering
 * a constant review (the ceiling of TLS plus HTTP/1.1 on this machine). wrk loads each over keep-alive TLS
 * connections, after a warm-up run of each path. It also measures the webhook's RSS idle and under load (and its
 * throughput with no memory settings), and both processes' start-up: exec until {@code /readyz} answers 200.
 *
 * <p>Arguments: {@code --seconds 10} (per load run), {@code --connections 1,16,64}, {@code --starts 5} (start-ups
 * timed per process). System properties: {@code sei.gopeer} (the peer's binary).
 */
public final class WebhookBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REVIEWS = RepoRoot.find().resolve("webhook/src/test/resources/reviews");
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$",
      Pattern.MULTILINE);
  private static final Pattern NOT_OK = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: .*");

  /** What is loaded: a recorded review and the endpoint that judges it. */
  record ReviewPath(String name, String fixture, String endpoint) {
  }

  private static final List<ReviewPath> PATHS = List.of(
      new ReviewPath("mutate (legacy defaulting)", "mutate-seinode-legacy", "/mutate/seinodes"),
      new ReviewPath("validate (denial, 2 causes)", "validate-seinode-bad-name-and-peer", "/validate/seinodes"),
      new ReviewPath("StatefulSet gate (from cache)", "validate-statefulset-held", "/validate/statefulsets"));

  /** One wrk run. */
  record Load(double perSecond, double p50Ms, double p99Ms, long peakRssBytes) {
  }

  private final ControlPlane plane;
  private final Path work;
  private final int seconds;

  private WebhookBenchmark(ControlPlane plane, Path work, int seconds) {
    this.plane = plane;
    this.work = work;
    this.seconds = seconds;
  }

  public static void main(String[] args) throws Exception {
    BenchmarkOptions options = BenchmarkOptions.parse(args, Map.of("--seconds", "10", "--connections", "1,16,64",
        "--starts", "5"));
    int seconds = options.number("--seconds");
    int starts = options.number("--starts");
    List<Integer> connections = Arrays.stream(options.text("--connections").split(","))
        .map(Integer::parseInt).toList();
    Path gopeer = Path.of(Objects.requireNonNull(System.getProperty("sei.gopeer"),
        "-Dsei.gopeer=<the bench/gopeer binary> is required"));
    try (ControlPlane plane = ControlPlane.start()) {
      Crds.install(plane.client());
      Rbac.install(plane.client());
      WebhookBenchmark benchmark = new WebhookBenchmark(plane, Files.createTempDirectory(plane.workDir(), "bench"),
          seconds);
      benchmark.run(gopeer, connections, starts);
    }
  }

  private void run(Path gopeer, List<Integer> connections, int starts) throws Exception {
    holdAGatedNode();
    Path tls = servingCertificate();
    Map<String, byte[]> reviews = new LinkedHashMap<>();
    for (ReviewPath path : PATHS) {
      reviews.put(path.name(), Files.readAllBytes(REVIEWS.resolve(path.fixture() + ".json")));
    }

    Map<String, Map<String, Load>> results = new LinkedHashMap<>(); // "server @ connections" -> path -> load
    long webhookIdleRss;
    try (Server webhook = startWebhook(tls, true); Server peer = startPeer(gopeer, tls)) {
      for (ReviewPath path : PATHS) {
        sameDecision(path, reviews.get(path.name()), webhook.port(), peer.port());
      }
      Thread.sleep(5_000);
      webhookIdleRss = rss(webhook.process().handle().pid());
      byte[] constant = post(webhook.port(), PATHS.get(0).endpoint(), reviews.get(PATHS.get(0).name()));
      try (Server ceiling = startCeiling(tls, constant)) {
        for (Server server : List.of(webhook, peer, ceiling)) {
          warmUp(server, reviews);
        }
        for (int c : connections) {
          for (ReviewPath path : PATHS) {
            byte[] review = reviews.get(path.name());
            results.computeIfAbsent("webhook @ " + c, k -> new LinkedHashMap<>())
                .put(path.name(), load(webhook, path.endpoint(), review, c));
            results.computeIfAbsent("controller-runtime peer @ " + c, k -> new LinkedHashMap<>())
                .put(path.name(), load(peer, path.endpoint(), review, c));
            results.computeIfAbsent("nginx, constant answer @ " + c, k -> new LinkedHashMap<>())
                .put(path.name(), load(ceiling, path.endpoint(), review, c));
          }
        }
      }
    }
    Load unconstrained;
    try (Server webhook = startWebhook(tls, false)) {
      warmUp(webhook, reviews);
      unconstrained = load(webhook, PATHS.get(0).endpoint(), reviews.get(PATHS.get(0).name()), 16);
    }

    System.out.println();
    System.out.println("## Webhook throughput and latency (" + seconds + " s per run; wrk, HTTP/1.1 keep-alive over "
        + "TLS, " + Runtime.getRuntime().availableProcessors() + " cores)");
    System.out.println();
    System.out.println("| server @ connections | path | reviews/s | p50 ms | p99 ms | peak RSS MiB |");
    System.out.println("|---|---|---|---|---|---|");
    results.forEach((server, byPath) -> byPath.forEach((path, load) -> System.out.printf(
        "| %s | %s | %.0f | %.2f | %.2f | %s |%n", server, path, load.perSecond(), load.p50Ms(), load.p99Ms(),
        load.peakRssBytes() == 0 ? "-" : String.format("%.0f", load.peakRssBytes() / 1048576.0))));
    System.out.println();
    System.out.println("## Webhook footprint");
    System.out.println();
    System.out.printf("| webhook | RSS idle MiB | mutate @ 16: reviews/s | peak RSS MiB |%n|---|---|---|---|%n");
    Load constrained = results.get("webhook @ 16") == null ? null : results.get("webhook @ 16").get(PATHS.get(0).name());
    if (constrained != null) {
      System.out.printf("| image settings (jvm.options, 384Mi limit) | %.0f | %.0f | %.0f |%n", webhookIdleRss / 1048576.0,
          constrained.perSecond(), constrained.peakRssBytes() / 1048576.0);
    }
    System.out.printf("| no JVM settings | - | %.0f | %.0f |%n", unconstrained.perSecond(),
        unconstrained.peakRssBytes() / 1048576.0);
    startups(tls, gopeer, starts);
  }

  /** Every path once for a run's length, not measured: the JIT compiles the hot paths first, as in a long-lived pod. */
  private void warmUp(Server server, Map<String, byte[]> reviews) throws Exception {
    for (ReviewPath path : PATHS) {
      load(server, path.endpoint(), reviews.get(path.name()), 16);
    }
  }

  /** Exec until /readyz answers 200, {@code starts} times per process; the median and the slowest. */
  private void startups(Path tls, Path gopeer, int starts) throws Exception {
    Map<String, List<Duration>> times = new LinkedHashMap<>();
    for (int i = 0; i < starts; i++) {
      try (Server webhook = startWebhook(tls, true)) {
        times.computeIfAbsent("webhook", k -> new ArrayList<>()).add(webhook.ready());
      }
      try (Server controller = startController()) {
        times.computeIfAbsent("controller", k -> new ArrayList<>()).add(controller.ready());
      }
      try (Server peer = startPeer(gopeer, tls)) {
        times.computeIfAbsent("controller-runtime peer", k -> new ArrayList<>()).add(peer.ready());
      }
    }
    System.out.println();
    System.out.println("## Start-up: exec until /readyz answers 200 (" + starts + " starts each)");
    System.out.println();
    System.out.println("| process | median s | slowest s |");
    System.out.println("|---|---|---|");
    times.forEach((process, durations) -> {
      List<Duration> sorted = durations.stream().sorted().toList();
      System.out.printf("| %s | %.2f | %.2f |%n", process, sorted.get(sorted.size() / 2).toMillis() / 1000.0,
          sorted.get(sorted.size() - 1).toMillis() / 1000.0);
    });
  }

  /** The SeiNode the gate's review names: tcp, its address not published yet, so the gate holds its StatefulSet. */
  private void holdAGatedNode() throws IOException {
    JsonNode request = JSON.readTree(REVIEWS.resolve("validate-statefulset-held.json").toFile()).path("request");
    String namespace = request.path("namespace").asText();
    plane.newNamespaceNamed(namespace);
    Kubectl.Result created = plane.kubectl().runWithInput("""
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata: {name: %s}
        spec: {chainId: pacific-1, image: seid, networking: {tcp: {}}, fullNode: {}}
        """.formatted(request.path("name").asText()), "-n", namespace, "create", "-f", "-");
    if (!created.succeeded()) {
      throw new IllegalStateException("could not create the gated SeiNode: " + created);
    }
  }

  private Path servingCertificate() throws IOException {
    IssuedCertificate serving = plane.certificateAuthority().issueServing(WellKnown.WEBHOOK_NAME,
        List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    Path dir = Files.createDirectories(work.resolve("tls"));
    Files.writeString(dir.resolve("tls.crt"), serving.certificatePem());
    Files.writeString(dir.resolve("tls.key"), serving.privateKeyPem());
    return dir;
  }

  /** Both servers decide a review alike: allowed, status code, message and causes, and the patch. */
  private static void sameDecision(ReviewPath path, byte[] review, int webhookPort, int peerPort) throws Exception {
    JsonNode ours = decision(post(webhookPort, path.endpoint(), review));
    JsonNode theirs = decision(post(peerPort, path.endpoint(), review));
    if (!ours.equals(theirs)) {
      throw new IllegalStateException(path.name() + ": the peer decides otherwise\n  webhook: " + ours + "\n  peer:    "
          + theirs);
    }
    System.out.println("same decision, " + path.name() + ": " + ours);
  }

  private static JsonNode decision(byte[] body) throws IOException {
    JsonNode response = JSON.readTree(body).path("response");
    ObjectNode decision = JSON.createObjectNode();
    decision.put("allowed", response.path("allowed").asBoolean());
    decision.put("code", response.at("/status/code").asInt(200));
    decision.put("message", response.at("/status/message").asText());
    ObjectNode causes = decision.putObject("causes");
    response.at("/status/details/causes").forEach(cause -> causes.put(cause.path("field").asText(),
        cause.path("message").asText()));
    String patch = response.path("patch").asText();
    decision.set("patch", patch.isEmpty() ? JSON.nullNode()
        : JSON.readTree(Base64.getDecoder().decode(patch)));
    return decision;
  }

  private Server startWebhook(Path tls, boolean imageSettings) throws Exception {
    int port = FreePort.next();
    int health = FreePort.next();
    Map<String, String> env = new HashMap<>(LocalSystem.VPC);
    env.putAll(plane.podCredentials(Rbac.NAMESPACE, Rbac.WEBHOOK));
    env.putAll(Map.of("WEBHOOK_PORT", Integer.toString(port), "HEALTH_PORT", Integer.toString(health),
        "TLS_CERT_FILE", tls.resolve("tls.crt").toString(), "TLS_KEY_FILE", tls.resolve("tls.key").toString(),
        "SHUTDOWN_DRAIN_SECONDS", "0"));
    List<String> jvm = imageSettings ? JvmSettings.webhook(plane.client()) : List.of();
    Instant exec = Instant.now();
    LocalProcess process = JavaProcess.start("webhook", WebhookMain.class, jvm, env,
        work.resolve("webhook-" + port + ".log"));
    return Server.awaitReady(process, port, health, exec);
  }

  private Server startController() throws Exception {
    int health = FreePort.next();
    Map<String, String> env = new HashMap<>(LocalSystem.VPC);
    env.putAll(plane.podCredentials(Rbac.NAMESPACE, Rbac.CONTROLLER));
    env.putAll(Map.of("POD_NAMESPACE", Rbac.NAMESPACE, "HEALTH_PORT", Integer.toString(health),
        "SEI_LEADER_ELECTION", "false"));
    Instant exec = Instant.now();
    LocalProcess process = JavaProcess.start("controller", ControllerMain.class, JvmSettings.controller(plane.client()),
        env, work.resolve("controller-" + health + ".log"));
    return Server.awaitReady(process, 0, health, exec);
  }

  private Server startPeer(Path gopeer, Path tls) throws Exception {
    int port = FreePort.next();
    int health = FreePort.next();
    Instant exec = Instant.now();
    LocalProcess process = LocalProcess.start("gopeer", List.of(gopeer.toString(),
        "--kubeconfig=" + plane.kubeconfigForServiceAccount(Rbac.NAMESPACE, Rbac.WEBHOOK), "--port=" + port,
        "--health=127.0.0.1:" + health, "--cert-dir=" + tls), work.resolve("gopeer-" + port + ".log"));
    return Server.awaitReady(process, port, health, exec);
  }

  /** nginx answering every request with {@code answer} over the same certificate and TLS versions. */
  private Server startCeiling(Path tls, byte[] answer) throws Exception {
    int port = FreePort.next();
    Path dir = Files.createDirectories(work.resolve("nginx-" + port));
    String body = new String(answer, StandardCharsets.UTF_8).replace("'", "\\'");
    Path conf = Files.writeString(dir.resolve("nginx.conf"), """
        worker_processes %d;
        pid %s/nginx.pid;
        error_log %s/error.log;
        events { worker_connections 1024; }
        http {
          access_log off;
          client_body_temp_path %s;
          server {
            listen 127.0.0.1:%d ssl;
            ssl_certificate %s;
            ssl_certificate_key %s;
            ssl_protocols TLSv1.2 TLSv1.3;
            keepalive_requests 10000000;
            location / { default_type application/json; return 200 '%s'; }
          }
        }
        """.formatted(Runtime.getRuntime().availableProcessors(), dir, dir, dir, port, tls.resolve("tls.crt"),
        tls.resolve("tls.key"), body));
    LocalProcess process = LocalProcess.start("nginx", List.of("nginx", "-c", conf.toString(), "-g", "daemon off;"),
        dir.resolve("nginx.log"));
    process.awaitServing(() -> {
      post(port, "/", answer);
      return true;
    }, READY_WITHIN, Duration.ofMillis(100));
    return new Server(process, port, Duration.ZERO, false);
  }

  /** wrk against {@code server}, sampling the server's RSS meanwhile (not nginx's: it is the yardstick). */
  private Load load(Server server, String endpoint, byte[] review, int connections) throws Exception {
    Path body = Files.write(work.resolve("review-" + Math.abs(Arrays.hashCode(review)) + ".json"), review);
    Path script = Files.writeString(work.resolve("post.lua"), """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        local file = io.open("%s", "rb")
        wrk.body = file:read("*a")
        file:close()
        """.formatted(body));
    int threads = Math.min(connections, Runtime.getRuntime().availableProcessors());
    List<String> command = List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
        "-s", script.toString(), "https://127.0.0.1:" + server.port() + endpoint);
    AtomicLong peakRss = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (running.get() && server.sampleRss()) {
        peakRss.accumulateAndGet(rss(server.process().handle().pid()), Math::max);
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    running.set(false);
    sampler.join();
    Matcher rate = RATE.matcher(out);
    Matcher notOk = NOT_OK.matcher(out);
    Matcher socketErrors = SOCKET_ERRORS.matcher(out);
    if (wrk.exitValue() != 0 || !rate.find() || notOk.find() || socketErrors.find()) {
      throw new IllegalStateException("wrk against " + server.process().name() + endpoint + " went wrong:\n" + out);
    }
    Map<String, Double> percentiles = new HashMap<>();
    Matcher percentile = PERCENTILE.matcher(out);
    while (percentile.find()) {
      double value = Double.parseDouble(percentile.group(2));
      percentiles.put(percentile.group(1), switch (percentile.group(3)) {
        case "us" -> value / 1000;
        case "s" -> value * 1000;
        default -> value;
      });
    }
    return new Load(Double.parseDouble(rate.group(1)), percentiles.get("50"), percentiles.get("99"), peakRss.get());
  }

  /** A process's resident set, from /proc. */
  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      return 0;
    } catch (IOException gone) {
      return 0;
    }
  }

  /** One POST over TLS trusting any certificate (the benchmark's own), its body. */
  private static byte[] post(int port, String endpoint, byte[] body) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(TrustingTls.context()).build();
    HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
        + endpoint)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("answered " + response.statusCode());
    }
    return response.body();
  }

  /** A started server: its process, HTTPS port, how long it took to be ready, whether its RSS is measured. */
  private record Server(LocalProcess process, int port, Duration ready, boolean sampleRss) implements AutoCloseable {

    static Server awaitReady(LocalProcess process, int port, int health, Instant exec) throws InterruptedException {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      process.awaitServing(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health
          + "/readyz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200, READY_WITHIN,
          Duration.ofMillis(10));
      return new Server(process, port, Duration.between(exec, Instant.now()), true);
    }

    @Override
    public void close() {
      process.close();
    }
  }
}
