package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The images, run the way {@code manifests/base} runs them (read from {@code kubectl kustomize}, so a manifest change
 * is tested too): read-only root without a writable /tmp, user 65532, no capabilities, no privilege escalation, the
 * memory limit, the env, the Secret mounts. Only what a pod network and a projected token would give is supplied
 * here: the host's network with free ports, and a ServiceAccount kubeconfig.
 */
@ExtendWith(ControlPlaneExtension.class)
class ImagesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String KUBECONFIG = "/var/run/sei-p2p/kubeconfig";

  private static ControlPlane plane;
  private static KubernetesClient client;
  private static Images images;
  private static List<HasMetadata> manifests;

  @BeforeAll
  static void start(ControlPlane controlPlane) throws IOException {
    plane = controlPlane;
    client = plane.client();
    images = Images.build();
    Kubectl.Result rendered = plane.kubectl().run("kustomize", RepoRoot.find().resolve("manifests/base").toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();
    manifests = client.load(new ByteArrayInputStream(rendered.stdout().getBytes(StandardCharsets.UTF_8))).items();
    Crds.install(client);
    Rbac.install(client);
  }

  @Test
  void theWebhookImageServesReviewsOverTlsAndStopsOnSigterm() throws Exception {
    Path dir = Files.createTempDirectory("sei-p2p-image-webhook-");
    IssuedCertificate serving = plane.certificateAuthority().issueServing("sei-p2p-webhook",
        List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    Path tls = Files.createDirectories(dir.resolve("tls"));
    Files.writeString(tls.resolve("tls.crt"), serving.certificatePem());
    Files.writeString(tls.resolve("tls.key"), serving.privateKeyPem());
    ContainerRun run = ContainerRun.of(deployment("sei-p2p-webhook"), "webhook",
        Map.of("sei-p2p-webhook-tls", tls), Map.of("status.podIP", "127.0.0.1"));
    int https = FreePort.next();
    int health = FreePort.next();

    try (Container webhook = Container.start(images, "sei-p2p-webhook-" + https, images.webhook(), run,
        List.of("-v", plane.kubeconfigForServiceAccount(Rbac.NAMESPACE, Rbac.WEBHOOK) + ":" + KUBECONFIG + ":ro",
            "-e", "KUBECONFIG=" + KUBECONFIG, "-e", "WEBHOOK_PORT=" + https, "-e", "HEALTH_PORT=" + health,
            "-e", "SEI_VPC_CIDR=10.0.0.0/16"))) {
      webhook.awaitReady(health, READY_WITHIN);

      byte[] review = Files.readAllBytes(RepoRoot.find().resolve(
          "webhook/src/test/resources/reviews/mutate-seinode-legacy.json"));
      HttpResponse<String> answer = HttpClient.newBuilder().sslContext(plane.certificateAuthority().clientContext("TLS")).build().send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https + "/mutate/seinodes"))
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(review)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      JsonNode response = JSON.readTree(answer.body()).path("response");
      assertThat(response.path("uid").asText()).isEqualTo(JSON.readTree(review).at("/request/uid").asText());
      assertThat(response.path("allowed").asBoolean()).isTrue();
      assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");

      webhook.assertStopsWithinGracePeriod();
    }
  }

  @Test
  void theControllerImageConvergesTheExamplesAndStopsOnSigterm() throws Exception {
    Path dir = Files.createTempDirectory("sei-p2p-image-controller-");
    // the simulator's DNS: a folder, so that the container sees the file however it is rewritten
    Path dns = Files.createDirectories(dir.resolve("dns"));
    String ns = plane.newNamespace("images");
    ContainerRun run = ContainerRun.of(deployment("sei-p2p-controller"), "controller", Map.of(),
        Map.of("metadata.namespace", Rbac.NAMESPACE));
    int health = FreePort.next();

    try (LoadBalancerSimulator simulator = LoadBalancerSimulator.start(client, new HostsFile(dns.resolve("hosts")),
        Duration.ofSeconds(1), Duration.ofSeconds(1));
        Container controller = Container.start(images, "sei-p2p-controller-" + health, images.controller(), run,
            List.of("-v", plane.kubeconfigForServiceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER) + ":" + KUBECONFIG + ":ro",
                "-v", dns + ":/etc/sei-p2p-dns:ro", "-e", "KUBECONFIG=" + KUBECONFIG,
                "-e", "HEALTH_PORT=" + health, "-e", "SEI_VPC_CIDR=10.0.0.0/16",
                "-e", "SEI_GENESIS=" + LocalSystem.GENESIS.get("SEI_GENESIS"),
                // other tests' objects may still be in this cluster: this controller looks after its own namespace
                "-e", "SEI_WATCH_NAMESPACES=" + ns,
                "-e", "JAVA_TOOL_OPTIONS=-D" + HostsFile.PROPERTY + "=/etc/sei-p2p-dns/hosts"))) {
      controller.awaitReady(health, READY_WITHIN);

      Kubectl.Result applied = plane.kubectl().run("-n", ns, "apply", "-f",
          RepoRoot.find().resolve("manifests/examples").toString());
      assertThat(applied.succeeded()).as(applied.toString()).isTrue();
      Await.until("every example node started", WAIT, () -> converged(ns));
      assertThat(client.resources(SeiNode.class).inNamespace(ns).list().getItems())
          .filteredOn(node -> node.getSpec().networking() != null && node.getSpec().networking().tcpEnabled())
          .isNotEmpty()
          .allSatisfy(node -> assertThat(node.getStatus().externalAddress()).endsWith(".amazonaws.com:26656"));

      controller.assertStopsWithinGracePeriod();
    }
  }

  /** Every deployment has all its children, and every node its StatefulSet. */
  private static boolean converged(String ns) {
    List<SeiNodeDeployment> deployments = client.resources(SeiNodeDeployment.class).inNamespace(ns).list().getItems();
    List<SeiNode> nodes = client.resources(SeiNode.class).inNamespace(ns).list().getItems();
    boolean allChildren = deployments.stream().allMatch(d -> nodes.stream().filter(n -> d.getMetadata().getName()
        .equals(n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get("sei.io/nodedeployment")))
        .count() == d.getSpec().replicasOrDefault());
    return !deployments.isEmpty() && allChildren && nodes.stream()
        .allMatch(n -> client.apps().statefulSets().inNamespace(ns).withName(n.getMetadata().getName()).get() != null);
  }

  private static Deployment deployment(String name) {
    return manifests.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .filter(d -> d.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("manifests/base renders no Deployment " + name));
  }

  /** A detached container started with the manifest's flags plus {@code extra}; removed on close. */
  private record Container(Images images, String name, ContainerRun run, long startedNanos) implements AutoCloseable {

    static Container start(Images images, String name, String image, ContainerRun run, List<String> extra) {
      long started = System.nanoTime();
      List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
      args.addAll(run.flags());
      args.addAll(extra); // later -e flags win: the test's ports and VPC over the manifest's placeholders
      args.add(image);
      images.podman(args.toArray(String[]::new));
      return new Container(images, name, run, started);
    }

    void awaitReady(int healthPort, Duration within) {
      HttpClient http = HttpClient.newHttpClient();
      Await.until(name + " ready", within, () -> {
        if (!"true".equals(images.podman("inspect", "-f", "{{.State.Running}}", name).trim())) {
          throw new AssertionError(name + " exited before it was ready; its log:\n" + images.podman("logs", name));
        }
        try {
          return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/readyz")).build(),
              HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
      System.out.printf("%s: ready %.1f s after podman run%n", name,
          (System.nanoTime() - startedNanos) / 1e9);
    }

    /** SIGTERM, as the kubelet sends it: the process must end by itself within the grace period. */
    void assertStopsWithinGracePeriod() {
      long started = System.nanoTime();
      images.podman("stop", "-t", Long.toString(run.gracePeriod().toSeconds()), name);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      String exit = images.podman("inspect", "-f", "{{.State.ExitCode}}", name).trim();
      assertThat(exit).as("exit code after SIGTERM; log:\n" + images.podman("logs", "--tail", "20", name))
          .isIn("143", "0");
      assertThat(took).as("stopped within the grace period").isLessThan(run.gracePeriod());
    }

    @Override
    public void close() {
      images.podmanExitCode("rm", "-f", name);
    }
  }
}
