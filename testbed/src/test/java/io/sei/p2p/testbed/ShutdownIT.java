package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.webhook.Endpoints;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A rollout or a drain stops the controller with SIGTERM: it must go within seconds and hand its Lease over. */
@ExtendWith(ControlPlaneExtension.class)
class ShutdownIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  /** What a JVM that ran its shutdown hooks on SIGTERM exits with (128 + 15): it neither hung nor crashed. */
  private static final int SIGTERM_EXIT = 143;

  @Test
  void aLeadingControllerStopsWithinSecondsOnSigtermAndReleasesItsLease(ControlPlane plane) throws Exception {
    KubernetesClient client = plane.client();
    String ns = plane.newNamespace("sigterm");
    try (LocalSystem system = LocalSystem.install(plane); PodStarts pods = new PodStarts(client, ns)) {
      LoadBalancerSimulator simulator = system.startSimulator(Duration.ofSeconds(1), Duration.ofSeconds(1));
      // three NLBs stay unanswered until the successor runs: the signal surely comes mid-convergence
      List<String> late = List.of(WellKnown.childName("fleet", 17), WellKnown.childName("fleet", 18),
          WellKnown.childName("fleet", 19));
      late.forEach(node -> simulator.silence(ns, WellKnown.p2pServiceName(node)));
      system.startController(Map.of("SEI_WATCH_NAMESPACES", ns), List.of());
      Await.until("leading", WAIT, () -> holder(client) != null);
      Kubectl.Result applied = plane.kubectl().runWithInput(Manifests.deployment("fleet", "", 20,
          "networking: {tcp: {}}", ""), "-n", ns, "apply", "-f", "-");
      assertThat(applied.succeeded()).as(applied.toString()).isTrue();
      Await.until("mid-convergence: some nodes published, not all", WAIT, () -> published(client, ns) > 0);

      LocalProcess leader = system.controller();
      long publishedAtSignal = published(client, ns);
      Instant signalled = Instant.now();
      leader.terminate();

      assertThat(leader.awaitExit(Duration.ofSeconds(10))).as("exited within 10 s of SIGTERM").isTrue();
      Instant exited = Instant.now();
      assertThat(leader.exitCode()).as("exit code").isEqualTo(SIGTERM_EXIT);
      assertThat(publishedAtSignal).as("nodes published when the signal came").isBetween(1L, 17L);
      Await.until("the Lease released", Duration.ofSeconds(2), () -> holder(client) == null);
      assertThat(Duration.between(signalled, exited)).isLessThan(Duration.ofSeconds(10));

      // a successor takes over at once and finishes the job: nothing was left half-written
      system.startController(Map.of("SEI_WATCH_NAMESPACES", ns), List.of());
      late.forEach(node -> simulator.speak(ns, WellKnown.p2pServiceName(node)));
      Await.until("all 20 published and running", WAIT, () -> published(client, ns) == 20
          && client.pods().inNamespace(ns).list().getItems().stream()
              .filter(pod -> "Running".equals(pod.getStatus().getPhase())).count() == 20);
      List<String> ids = client.resources(SeiNode.class).inNamespace(ns).list().getItems().stream()
          .map(node -> node.getStatus().nodeId()).toList();
      assertThat(ids).doesNotContainNull().doesNotHaveDuplicates().hasSize(20);
      assertThat(client.services().inNamespace(ns).list().getItems()).hasSize(40); // headless and NLB per node
      assertThat(pods.restarts()).as("pods started again").isZero();
    }
  }

  /**
   * The webhook fails /readyz for the drain delay while it still answers the reviews that reach it (the apiserver
   * sends them until the endpoints drop the pod), then exits.
   */
  @Test
  void theWebhookStopsWithinSecondsOnSigterm(ControlPlane plane) throws Exception {
    String ns = plane.newNamespace("webhook-sigterm");
    try (LocalSystem system = LocalSystem.install(plane)) {
      Map<String, String> env = new HashMap<>(LocalSystem.VPC);
      env.put("SHUTDOWN_DRAIN_SECONDS", "5"); // the Deployment's default: endpoints drop the pod meanwhile
      system.startWebhook("webhook", env, ns, List.of());
      LocalProcess webhook = system.webhook();

      byte[] review = Files.readAllBytes(RepoRoot.find()
          .resolve("webhook/src/test/resources/reviews/mutate-seinode-legacy.json"));
      assertThat(mutate(system.webhookHttpsPort(), review)).as("before the signal").contains("\"patch\"");

      webhook.terminate();

      Await.until("/readyz failing: the drain began", Duration.ofSeconds(3),
          () -> !LocalSystem.ready(system.webhookHealthPort()));
      assertThat(webhook.handle().isAlive()).as("still draining").isTrue();
      assertThat(mutate(system.webhookHttpsPort(), review)).as("a review that arrives while it drains is answered")
          .contains("\"allowed\":true").contains("\"patch\"");
      assertThat(webhook.awaitExit(Duration.ofSeconds(10))).as("exited within 10 s of SIGTERM").isTrue();
      assertThat(webhook.exitCode()).isEqualTo(SIGTERM_EXIT);
      assertThat(webhook.log()).contains("SIGTERM: draining, then finishing in-flight reviews");
    }
  }

  /** ./run-local on Ctrl-C or SIGTERM: it and every process it started are gone within seconds. */
  @Test
  void theMainJobStopsEverythingItStartedOnSigterm() throws Exception {
    Path log = Files.createTempFile("local-run", ".log");
    LocalProcess run = JavaProcess.start("local-run", LocalRun.class, List.of("-Dsei.repo.root=" + RepoRoot.find()),
        List.of(), Map.of(), log);
    try {
      Await.until("the main job waits for Ctrl-C", Duration.ofMinutes(4), () -> run.tail(5)
          .contains("press Ctrl-C to stop"));
      List<ProcessHandle> started = run.handle().descendants().toList();
      assertThat(started).as("the control plane, the webhooks and the controller").hasSizeGreaterThanOrEqualTo(8);

      run.terminate();

      assertThat(run.awaitExit(Duration.ofSeconds(15))).as("exited within 15 s of SIGTERM").isTrue();
      Await.until("every process it started is gone", Duration.ofSeconds(5),
          () -> started.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      run.close();
    }
  }

  /** The webhook's answer to {@code review} at its mutating SeiNode path, as the apiserver asks it. */
  private static String mutate(int port, byte[] review) throws IOException {
    HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://127.0.0.1:" + port
        + Endpoints.MUTATE_SEINODES + "?timeout=10s").toURL().openConnection();
    connection.setSSLSocketFactory(TrustingTls.context().getSocketFactory());
    connection.setHostnameVerifier((host, session) -> true);
    connection.setRequestMethod("POST");
    connection.setRequestProperty("Content-Type", "application/json");
    connection.setDoOutput(true);
    connection.getOutputStream().write(review);
    assertThat(connection.getResponseCode()).isEqualTo(200);
    try (InputStream answer = connection.getInputStream()) {
      return new String(answer.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String holder(KubernetesClient client) {
    Lease lease = client.resources(Lease.class).inNamespace(Rbac.NAMESPACE).withName(ControllerConfig.LEASE_NAME)
        .get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static long published(KubernetesClient client, String ns) {
    return client.resources(SeiNode.class).inNamespace(ns).list().getItems().stream()
        .filter(node -> node.getStatus() != null && node.getStatus().externalAddress() != null)
        .map(node -> node.getStatus().externalAddress()).filter(Objects::nonNull).count();
  }
}
