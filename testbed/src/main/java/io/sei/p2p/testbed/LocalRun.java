package io.sei.p2p.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.controller.ControllerMain;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.rules.Networking;
import io.sei.p2p.rules.NodeConfig;
import io.sei.p2p.rules.NodeObjects;
import io.sei.p2p.webhook.WebhookMain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * The main job on an embedded local default: a real control plane; the webhook (twice: on a VPC-routable and on
 * an overlay setting) and the controller as their own processes; the load-balancer simulator; the example
 * manifests; and a summary of what happened. Then a kubeconfig to explore with until Ctrl-C ({@code --once}
 * exits after the summary).
 */
public final class LocalRun {

  static final String NAMESPACE = "sei-demo";
  static final String OVERLAY_NAMESPACE = "sei-demo-overlay";
  static final String SYSTEM_NAMESPACE = "sei-system";
  private static final Map<String, String> VPC = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  private static final Duration CONVERGENCE = Duration.ofSeconds(120);

  private final ControlPlane plane;
  private final Path runDir;
  private final List<LocalProcess> processes = new CopyOnWriteArrayList<>();

  private LocalRun(ControlPlane plane, Path runDir) {
    this.plane = plane;
    this.runDir = runDir;
  }

  public static void main(String[] args) throws Exception {
    boolean once = List.of(args).contains("--once");
    Path examples = RepoRoot.find().resolve("manifests/examples");
    say("starting a local control plane (the first run builds it from Go modules; later runs take seconds)");
    Instant started = Instant.now();
    try (ControlPlane plane = ControlPlane.start()) {
      say("kube-apiserver ready at " + plane.apiserverUrl() + " after "
          + Duration.between(started, Instant.now()).toSeconds() + " s");
      LocalRun run = new LocalRun(plane, Files.createTempDirectory("sei-p2p-local-"));
      // Ctrl-C ends the JVM without waiting for main to unwind: stop the webhook and controller from a hook too
      Runtime.getRuntime().addShutdownHook(new Thread(run::stopProcesses, "local-run-shutdown"));
      try (LoadBalancerSimulator simulator = LoadBalancerSimulator.start(plane.client(),
          run.runDir.resolve("lb-hosts"), Duration.ofSeconds(2), Duration.ofSeconds(3))) {
        run.startSystem();
        run.applyExamples(examples);
        run.followNodes();
        if (!once) {
          say("explore with: " + plane.binaries().kubectl() + " --kubeconfig " + plane.kubeconfig() + " -n "
              + NAMESPACE + " get snd,snode,svc,sts");
          say("process logs are in " + run.runDir + "; press Ctrl-C to stop");
          CountDownLatch stopped = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
          stopped.await();
        }
      } finally {
        run.stopProcesses();
      }
    }
  }

  private void startSystem() throws Exception {
    KubernetesClient client = plane.client();
    Crds.install(client);
    say("installed CRDs seinodes.sei.io and seinodedeployments.sei.io");
    for (String ns : List.of(NAMESPACE, OVERLAY_NAMESPACE, SYSTEM_NAMESPACE)) {
      plane.newNamespaceNamed(ns);
    }
    startWebhook("webhook", VPC, NAMESPACE);
    startWebhook("webhook-overlay", Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "100.64.3.7"), OVERLAY_NAMESPACE);
    Map<String, String> env = new HashMap<>(VPC);
    env.put("KUBECONFIG", plane.kubeconfig().toString());
    env.put("POD_NAMESPACE", SYSTEM_NAMESPACE);
    env.put("SEI_WATCH_NAMESPACES", NAMESPACE + "," + OVERLAY_NAMESPACE);
    int health = FreePort.next();
    env.put("HEALTH_PORT", Integer.toString(health));
    processes.add(JavaProcess.start("controller", ControllerMain.class,
        List.of("-D" + LoadBalancerSimulator.HOSTS_FILE_PROPERTY + "=" + runDir.resolve("lb-hosts")), env,
        runDir.resolve("controller.log")));
    awaitReady("controller", health);
    say("controller running (SEI_VPC_CIDR=10.0.0.0/16, leader election on a Lease in " + SYSTEM_NAMESPACE + ")");
  }

  private void startWebhook(String name, Map<String, String> network, String namespace) throws Exception {
    IssuedCertificate serving = plane.certificateAuthority().issueServing("sei-p2p-webhook",
        List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    Path tls = Files.createDirectories(runDir.resolve(name + "-tls"));
    Files.writeString(tls.resolve("tls.crt"), serving.certificatePem());
    Files.writeString(tls.resolve("tls.key"), serving.privateKeyPem());
    int port = FreePort.next();
    int health = FreePort.next();
    Map<String, String> env = new HashMap<>(network);
    env.putAll(Map.of("KUBECONFIG", plane.kubeconfig().toString(), "WEBHOOK_PORT", Integer.toString(port),
        "HEALTH_PORT", Integer.toString(health), "TLS_CERT_FILE", tls.resolve("tls.crt").toString(),
        "TLS_KEY_FILE", tls.resolve("tls.key").toString(), "SHUTDOWN_DRAIN_SECONDS", "0"));
    processes.add(JavaProcess.start(name, WebhookMain.class, List.of(), env, runDir.resolve(name + ".log")));
    awaitReady(name, health);
    WebhookRegistration.register(plane.client(), "https://127.0.0.1:" + port,
        plane.certificateAuthority().certificate().certificatePem(), namespace);
    say(name + " running and registered for namespace " + namespace + " (SEI_VPC_CIDR=" + network.get("SEI_VPC_CIDR")
        + ", POD_IP=" + network.get("POD_IP") + ")");
  }

  private void applyExamples(Path examples) throws InterruptedException {
    Kubectl kubectl = plane.kubectl();
    Kubectl.Result applied = retryUntilWebhooksAnswer(() -> kubectl.run("-n", NAMESPACE, "apply", "-f",
        examples.toString()));
    say("kubectl -n " + NAMESPACE + " apply -f manifests/examples" + (applied.succeeded() ? "" : "  FAILED"));
    print(applied.stdout() + applied.stderr());
    Kubectl.Result refused = retryUntilWebhooksAnswer(() -> kubectl.run("-n", OVERLAY_NAMESPACE, "apply", "-f",
        examples.resolve("not-routable").toString()));
    say("kubectl -n " + OVERLAY_NAMESPACE + " apply -f manifests/examples/not-routable (pod IPs are not VPC addresses "
        + "there) " + (refused.succeeded() ? "was ACCEPTED (unexpected)" : "was refused:"));
    print(refused.stderr());
  }

  /** The apiserver picks up new webhook configurations asynchronously; "no endpoints" style failures are retried. */
  private static Kubectl.Result retryUntilWebhooksAnswer(java.util.function.Supplier<Kubectl.Result> action)
      throws InterruptedException {
    Kubectl.Result result = action.get();
    for (int i = 0; i < 20 && !result.succeeded() && result.stderr().contains("failed calling webhook"); i++) {
      Thread.sleep(500);
      result = action.get();
    }
    return result;
  }

  /** Prints each node's progress as it happens, until every node runs, then a summary. */
  private void followNodes() throws InterruptedException {
    Map<String, String> lastLine = new HashMap<>();
    Instant deadline = Instant.now().plus(CONVERGENCE);
    boolean done = false;
    while (!done && Instant.now().isBefore(deadline)) {
      List<SeiNode> nodes = plane.client().resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems();
      done = !nodes.isEmpty();
      for (SeiNode node : nodes) {
        String line = progress(node);
        if (!line.equals(lastLine.put(node.getMetadata().getName(), line))) {
          say(String.format("%-16s %s", node.getMetadata().getName(), line));
        }
        done &= node.getStatus() != null && node.getStatus().statefulSet() != null;
      }
      Thread.sleep(500);
    }
    say(done ? "every node is running; summary:" : "not every node converged within " + CONVERGENCE.toSeconds()
        + " s; summary so far:");
    for (SeiNode node : plane.client().resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems()) {
      String name = node.getMetadata().getName();
      var config = plane.client().configMaps().inNamespace(NAMESPACE).withName(NodeObjects.configMapName(name)).get();
      String toml = config == null ? "" : config.getData().get(NodeConfig.FILE);
      String peers = toml.lines().filter(l -> l.startsWith("persistent_peers")).findFirst().orElse("");
      say(String.format("  %-16s address=%s nodeId=%s", name,
          node.getStatus() == null || node.getStatus().externalAddress() == null ? "-" : node.getStatus().externalAddress(),
          node.getStatus() == null ? "-" : node.getStatus().nodeId()));
      say(String.format("  %-16s %s", "", peers));
    }
  }

  private static String progress(SeiNode node) {
    boolean tcp = Networking.tcpEnabled(node.getSpec().networking());
    if (node.getStatus() == null || node.getStatus().conditions() == null) {
      return "created" + (tcp ? " (tcp: gets its own NLB)" : "");
    }
    String reason = node.getStatus().conditions().stream().filter(c -> c.getType().equals("Published"))
        .map(c -> c.getReason()).findFirst().orElse("?");
    String statefulSet = node.getStatus().statefulSet() != null ? "StatefulSet created" : "StatefulSet held";
    String address = node.getStatus().externalAddress() == null ? "" : " " + node.getStatus().externalAddress();
    return reason + address + "; " + statefulSet;
  }

  private void awaitReady(String name, int healthPort) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      LocalProcess process = processes.get(processes.size() - 1);
      if (!process.isAlive()) {
        throw new IllegalStateException(process.describeExit());
      }
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + healthPort + "/readyz")).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(name + " was not ready within 60 s; see " + runDir.resolve(name + ".log"));
  }

  private synchronized void stopProcesses() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }

  private static void say(String line) {
    System.out.println("sei-p2p: " + line);
  }

  private static void print(String block) {
    block.lines().forEach(line -> System.out.println("    " + line));
  }
}
