package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.webhook.Webhook;
import io.sei.p2p.webhook.WebhookConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;

/**
 * The webhook running in this JVM on a free loopback port, with a serving certificate from the control plane's
 * CA, registered for one namespace. It keeps every review body it receives, so tests can record fixtures.
 */
public final class LocalWebhook implements AutoCloseable {

  private final ControlPlane plane;
  private final KubernetesClient identity;
  private final Webhook webhook;
  private final Map<String, List<byte[]>> reviews = new ConcurrentHashMap<>();
  private List<HasMetadata> registration = List.of();

  private LocalWebhook(ControlPlane plane, KubernetesClient identity, Path tls, Map<String, String> env) {
    this.plane = plane;
    this.identity = identity;
    Map<String, String> settings = new HashMap<>(Map.of(
        "WEBHOOK_PORT", "0", "HEALTH_PORT", "0", "SHUTDOWN_DRAIN_SECONDS", "0", "TLS_POLL_SECONDS", "1",
        "TLS_CERT_FILE", tls.resolve("tls.crt").toString(), "TLS_KEY_FILE", tls.resolve("tls.key").toString()));
    settings.putAll(env);
    this.webhook = Webhook.start(WebhookConfig.fromEnv(settings), identity,
        (path, body) -> reviews.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(body));
  }

  /**
   * Starts a webhook configured by {@code env} (SEI_VPC_CIDR, SEI_NLB_TARGET_TYPE, POD_IP) and registers it for
   * {@code namespace}; returns once the apiserver sends that namespace's reviews to it. Runs as the webhook's
   * ServiceAccount with the RBAC of manifests/base/rbac.yaml.
   */
  public static LocalWebhook startFor(ControlPlane plane, String namespace, Map<String, String> env) {
    return startFor(plane, namespace, env, Rbac.WEBHOOK);
  }

  /** Runs as ServiceAccount {@code sei-system/<serviceAccount>}, whatever that account may do. */
  public static LocalWebhook startFor(ControlPlane plane, String namespace, Map<String, String> env,
      String serviceAccount) {
    Rbac.install(plane.client());
    LocalWebhook local = new LocalWebhook(plane, plane.clientAsServiceAccount(Rbac.NAMESPACE, serviceAccount),
        tlsFiles(plane), env);
    local.registration = WebhookRegistration.register(plane.client(), local.baseUrl(),
        plane.certificateAuthority().certificate().certificatePem(), namespace);
    local.awaitRegistered(namespace);
    return local;
  }

  /**
   * A webhook in self-signed TLS mode ({@code TLS_MODE=self-signed} and its settings in {@code env}): it writes its
   * own TLS files from the Secret it (or another replica) keeps. Not registered; returns once it serves. It runs as
   * the webhook's ServiceAccount, with whatever RBAC the caller installed (the self-signed overlay's, in production).
   */
  public static LocalWebhook startSelfSigned(ControlPlane plane, Map<String, String> env) {
    try {
      return startServing(plane, Files.createTempDirectory("sei-p2p-webhook-tls-"), env);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A webhook serving the TLS files in {@code tls} ({@code tls.crt}, {@code tls.key}: a mounted Secret, say), which it
   * reloads when they change. Not registered; runs as the webhook's ServiceAccount.
   */
  public static LocalWebhook startServing(ControlPlane plane, Path tls, Map<String, String> env) {
    return new LocalWebhook(plane, plane.clientAsServiceAccount(Rbac.NAMESPACE, Rbac.WEBHOOK), tls, env);
  }

  public String baseUrl() {
    return "https://127.0.0.1:" + webhook.httpsPort();
  }

  /** It listens on every address of this machine, on this port. */
  public int httpsPort() {
    return webhook.httpsPort();
  }

  /** The certificate it presents on a new TLS connection (read, not trusted). */
  public X509Certificate presentedCertificate() {
    try (SSLSocket socket = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket("127.0.0.1",
        webhook.httpsPort())) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new IllegalStateException("could not read the certificate the webhook presents", e);
    }
  }

  public int healthPort() {
    return webhook.healthPort();
  }

  /** The review bodies received at {@code path}, oldest first. */
  public List<byte[]> reviews(String path) {
    return reviews.getOrDefault(path, List.of());
  }

  public void forgetReviews() {
    reviews.clear();
  }

  /** Stops serving; registration made with {@link #startFor} is removed first. */
  @Override
  public void close() {
    WebhookRegistration.unregister(plane.client(), registration);
    webhook.close();
    if (identity != plane.client()) {
      identity.close();
    }
  }

  /** The apiserver loads webhook configurations asynchronously; probe with server-side dry runs until it calls. */
  private void awaitRegistered(String namespace) {
    String probe = """
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata: {name: registration-probe}
        spec: {chainId: probe, image: probe, networking: {}, fullNode: {}}
        """;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      plane.kubectl().runWithInput(probe, "-n", namespace, "apply", "--dry-run=server", "-f", "-");
      if (!reviews("/mutate/seinodes").isEmpty() && !reviews("/validate/seinodes").isEmpty()) {
        forgetReviews();
        return;
      }
      sleep(200);
    }
    throw new IllegalStateException("the apiserver did not call the webhook registered for " + namespace);
  }

  private static Path tlsFiles(ControlPlane plane) {
    IssuedCertificate serving = plane.certificateAuthority().issueServing(WellKnown.WEBHOOK_NAME,
        List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    try {
      Path dir = Files.createTempDirectory("sei-p2p-webhook-tls-");
      Files.writeString(dir.resolve("tls.crt"), serving.certificatePem());
      Files.writeString(dir.resolve("tls.key"), serving.privateKeyPem());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
