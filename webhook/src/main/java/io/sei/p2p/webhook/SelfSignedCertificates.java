package io.sei.p2p.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sei.p2p.certs.CertificateInstaller;
import io.sei.p2p.certs.WebhookCertificates;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-signed TLS: one replica, elected on a Lease, creates and rotates the serving certificate Secret and the
 * webhook configurations' caBundle; every replica writes the Secret's current pair to its TLS files, which the
 * server reloads. Two replicas therefore never race, and a rotation reaches all of them.
 */
final class SelfSignedCertificates implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class);
  static final String LEASE = "sei-p2p-webhook-certificates";

  private final KubernetesClient client;
  private final Vertx vertx;
  private final WebhookConfig config;
  private final WebhookCertificates.Target target;
  private SharedIndexInformer<Secret> informer;
  private CompletableFuture<?> election;
  private long rotationTimer = -1;

  SelfSignedCertificates(KubernetesClient client, Vertx vertx, WebhookConfig config) {
    this.client = client;
    this.vertx = vertx;
    this.config = config;
    this.target = new WebhookCertificates.Target(config.namespace(), config.service(), config.tlsSecret(),
        config.extraNames(), config.selfSignedValidity(), Duration.ofDays(3650));
  }

  /** Starts both duties and waits until this replica's TLS files hold a certificate. */
  void start(Duration timeout) {
    informer = client.secrets().inNamespace(config.namespace()).withField("metadata.name", config.tlsSecret())
        .runnableInformer(0);
    // a first list that times out (a loaded apiserver, a cold JVM) is retried with backoff until the files are due,
    // rather than stopping the cache and with it the process
    informer.exceptionHandler((started, failure) -> {
      LOG.warn("certificate Secret cache: {}; retrying",
          String.valueOf(failure.getMessage()).lines().findFirst().orElse(""));
      return true;
    });
    informer.addEventHandler(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Secret secret) {
            writeFiles(secret);
          }

          @Override
          public void onUpdate(Secret old, Secret secret) {
            writeFiles(secret);
          }

          @Override
          public void onDelete(Secret secret, boolean finalStateUnknown) {
            // the files keep serving; the leader recreates the Secret on its next check
          }
        });
    informer.start();
    String identity = config.podIp() != null ? config.podIp() + "-" + UUID.randomUUID() : UUID.randomUUID().toString();
    election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName(LEASE)
        .withLock(new LeaseLock(config.namespace(), LEASE, identity))
        .withLeaseDuration(Duration.ofSeconds(15)).withRenewDeadline(Duration.ofSeconds(10))
        .withRetryPeriod(Duration.ofSeconds(2))
        .withReleaseOnCancel(true) // a stopping replica hands the Lease over at once
        .withLeaderCallbacks(new LeaderCallbacks(this::lead, this::stopLeading, leader -> { }))
        .build()).build().start();
    awaitFiles(timeout);
  }

  private void lead() {
    LOG.info("leading certificate management (Lease {}/{})", config.namespace(), LEASE);
    ensure();
    Duration every = config.selfSignedValidity().dividedBy(10);
    rotationTimer = vertx.setPeriodic(Math.max(1000, every.toMillis()), id -> ensure());
  }

  private void stopLeading() {
    vertx.cancelTimer(rotationTimer);
  }

  private void ensure() {
    vertx.executeBlocking(() -> new CertificateInstaller(client, Clock.systemUTC())
            .ensure(target, config.webhookConfiguration()), false)
        .onFailure(e -> LOG.warn("could not ensure the serving certificate (will retry): {}", e.getMessage()));
  }

  private synchronized void writeFiles(Secret secret) {
    if (secret.getData() == null || !secret.getData().containsKey(WebhookCertificates.TLS_CERT)) {
      return;
    }
    // key first, both atomically: the reloader accepts only a matching pair, so a half-written pair just waits
    replace(config.keyFile(), secret.getData().get(WebhookCertificates.TLS_KEY));
    replace(config.certFile(), secret.getData().get(WebhookCertificates.TLS_CERT));
  }

  private static void replace(Path file, String base64) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private void awaitFiles(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(Files.exists(config.certFile()) && Files.exists(config.keyFile()))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no serving certificate in Secret " + config.namespace() + "/"
            + config.tlsSecret() + " after " + timeout.toSeconds() + " s");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(rotationTimer);
    if (election != null) {
      election.cancel(true);
    }
    if (informer != null) {
      informer.close();
    }
  }
}
