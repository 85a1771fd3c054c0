package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.rules.NodeConfig;
import io.sei.p2p.rules.NodeObjects;
import io.sei.p2p.rules.P2pService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SPEC §8 scenarios 4-7 and the controller's promises, end to end on the real apiserver. */
@ExtendWith(ControlPlaneExtension.class)
class ControllerIT {

  private static final Map<String, String> ROUTABLE = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  private static final String CONTROLLER_USER = "system:serviceaccount:" + Rbac.NAMESPACE + ":" + Rbac.CONTROLLER;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ControlPlane plane;
  private static KubernetesClient client;
  private static LoadBalancerSimulator simulator;

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    plane = controlPlane;
    client = plane.client();
    Rbac.install(client);
    simulator = LoadBalancerSimulator.start(client, LoadBalancerSimulator.hostsFileOfThisJvm(),
        Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @Test
  void aTcpDeploymentGetsAnNlbPerChildAndEachStartsOnlyOncePublished() {
    String ns = plane.newNamespace("publish");
    simulator.silence(ns, "fleet-2-p2p");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE); Controller controller = controller(ns)) {
      apply(ns, TestManifests.deployment("fleet", "", 3, "networking: {tcp: {}}", ""));

      for (int i = 0; i < 3; i++) {
        String child = "fleet-" + i;
        Await.until("child " + child + " with tcp", WAIT, () -> node(ns, child) != null
            && node(ns, child).getSpec().networking().tcpEnabled());
        Await.until("Service " + child + "-p2p", WAIT, () -> service(ns, child + "-p2p") != null);
        Service service = service(ns, child + "-p2p");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getSelector()).containsEntry("statefulset.kubernetes.io/pod-name", child + "-0");
        assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        assertThat(service.getSpec().getAllocateLoadBalancerNodePorts()).isFalse();
        assertThat(service.getMetadata().getAnnotations()).containsEntry(P2pService.TYPE, "external")
            .containsEntry(P2pService.TARGET_TYPE, "ip").containsEntry(P2pService.SCHEME, "internet-facing");
        assertThat(service.getMetadata().getOwnerReferences()).singleElement()
            .satisfies(ref -> assertThat(ref.getName()).isEqualTo(child));
      }

      // fleet-2 has no load balancer yet: its StatefulSet is held, by the controller and by the webhook's gate
      Await.until("fleet-2 waiting for its load balancer", WAIT, () -> "LoadBalancerPending".equals(publishedReason(ns, "fleet-2")));
      assertThat(statefulSet(ns, "fleet-2")).isNull();
      Kubectl.Result direct = plane.kubectl().runWithInput(TestManifests.statefulSet("fleet-2"), "-n", ns, "create", "-f", "-");
      assertThat(direct.stderr()).contains("Error from server (Forbidden)")
          .contains("SeiNode fleet-2 publishes P2P over tcp but status.externalAddress is not set yet");

      for (int i = 0; i < 2; i++) {
        String child = "fleet-" + i;
        String host = LoadBalancerSimulator.hostnameOf(service(ns, child + "-p2p"));
        Await.until(child + " published", WAIT, () -> "Published".equals(publishedReason(ns, child)));
        SeiNode published = node(ns, child);
        assertThat(published.getStatus().externalAddress()).isEqualTo(host + ":26656");
        assertThat(published.getStatus().nodeId()).matches("[0-9a-f]{40}");
        Await.until("StatefulSet " + child, WAIT, () -> statefulSet(ns, child) != null);
        assertThat(published.getStatus().statefulSet()).isNotNull();
        assertThat(configMap(ns, child).getData().get(NodeConfig.FILE))
            .contains("external_address = \"" + host + ":26656\"");
      }

      simulator.speak(ns, "fleet-2-p2p");
      Await.until("fleet-2 waits for DNS after its address appears", WAIT,
          () -> "WaitingForDNS".equals(publishedReason(ns, "fleet-2")) || "Published".equals(publishedReason(ns, "fleet-2")));
      Await.until("fleet-2 published and started", WAIT, () -> statefulSet(ns, "fleet-2") != null);
      assertThat(events(ns, "fleet-2")).contains("LoadBalancerPending", "WaitingForDNS", "Published");
      Await.until("deployment status", WAIT, () -> deploymentStatus(ns, "fleet", "publishedReplicas") == 3
          && deploymentStatus(ns, "fleet", "readyReplicas") == 3);
    }
  }

  @Test
  void consumersPeerWithProducersFollowLatePublicationNeverListThemselvesAndIdleMeansNoWrites() throws Exception {
    String ns = plane.newNamespace("peers");
    Instant started = Instant.now();
    simulator.silence(ns, "producers-1-p2p");
    try (Controller controller = controller(ns)) {
      apply(ns, TestManifests.deployment("producers", "chain: pacific-1", 2, "networking: {tcp: {}}", ""));
      apply(ns, TestManifests.deployment("consumers", "chain: pacific-1", 2, "networking: {tcp: {}}",
          "peers: [{seinodeDeployment: {selector: {chain: pacific-1}}}]"));

      Await.until("producers-0 published", WAIT, () -> "Published".equals(publishedReason(ns, "producers-0")));
      Await.until("consumers published", WAIT, () -> "Published".equals(publishedReason(ns, "consumers-0"))
          && "Published".equals(publishedReason(ns, "consumers-1")));
      String producer0 = node(ns, "producers-0").getStatus().externalAddress();
      String consumer1 = node(ns, "consumers-1").getStatus().externalAddress();
      Await.until("consumers-0 peers with producers-0 and consumers-1", WAIT, () -> List.of(consumer1, producer0).stream().sorted()
          .toList().equals(node(ns, "consumers-0").getStatus().resolvedPeers()));
      assertThat(node(ns, "consumers-0").getStatus().resolvedPeers())
          .doesNotContain(node(ns, "consumers-0").getStatus().externalAddress());
      Await.until("persistent_peers carry node IDs", WAIT, () -> configMap(ns, "consumers-0").getData().get(NodeConfig.FILE)
          .contains(node(ns, "producers-0").getStatus().nodeId() + "@" + producer0));

      String hashBefore = podTemplateHash(ns, "consumers-0");
      simulator.speak(ns, "producers-1-p2p");
      Await.until("producers-1 published", WAIT, () -> "Published".equals(publishedReason(ns, "producers-1")));
      String producer1 = node(ns, "producers-1").getStatus().externalAddress();
      Await.until("consumers-0 learns of producers-1", WAIT, () -> node(ns, "consumers-0").getStatus().resolvedPeers()
          .contains(producer1));
      Await.until("consumers-0 rolls to the new peers", WAIT, () -> !hashBefore.equals(podTemplateHash(ns, "consumers-0")));

      // after convergence, an idle minute: the apiserver's audit log must show no write by the controller
      Thread.sleep(3000);
      Instant quietFrom = Instant.now();
      String countedBefore = writesCounted(controller);
      Thread.sleep(60_000);
      List<String> writes = controllerWritesSince(quietFrom);
      assertThat(writesCounted(controller)).as("the controller's own write counters").isEqualTo(countedBefore)
          .contains("sei_controller_writes_total{kind=\"Service\",verb=\"apply\"}");
      assertThat(writes).as("writes by the controller during an idle minute").isEmpty();
      assertThat(controllerWritesSince(started)).as("the same audit query sees the controller's earlier writes")
          .anySatisfy(write -> assertThat(write).startsWith("patch seinodes"))
          .anySatisfy(write -> assertThat(write).startsWith("patch services"));
    }
  }

  @Test
  void optingOutDeletesTheServicesClearsTheAddressesAndRollsThePods() {
    String ns = plane.newNamespace("optout");
    try (Controller controller = controller(ns)) {
      apply(ns, TestManifests.deployment("fleet", "", 2, "", "networking: {tcp: {}}"));
      Await.until("both published and started", WAIT, () -> statefulSet(ns, "fleet-0") != null && statefulSet(ns, "fleet-1") != null);
      String hashBefore = podTemplateHash(ns, "fleet-0");

      apply(ns, TestManifests.deployment("fleet", "", 2, "", "networking: {http: {}}"));

      Await.until("Services deleted", WAIT, () -> service(ns, "fleet-0-p2p") == null && service(ns, "fleet-1-p2p") == null);
      Await.until("addresses cleared", WAIT, () -> node(ns, "fleet-0").getStatus().externalAddress() == null
          && node(ns, "fleet-1").getStatus().externalAddress() == null);
      assertThat(publishedReason(ns, "fleet-0")).isEqualTo("TCPDisabled");
      Await.until("pods roll to the new config", WAIT, () -> !hashBefore.equals(podTemplateHash(ns, "fleet-0")));
      assertThat(configMap(ns, "fleet-0").getData().get(NodeConfig.FILE)).contains("external_address = \"\"");
    }
  }

  @Test
  void aBlankIngressKeepsTheAddressAndScalingDownLeavesNoOrphans() throws Exception {
    String ns = plane.newNamespace("keep");
    try (Controller controller = controller(ns)) {
      apply(ns, TestManifests.deployment("fleet", "", 3, "networking: {tcp: {}}", ""));
      Await.until("all published", WAIT, () -> List.of(0, 1, 2).stream()
          .allMatch(i -> "Published".equals(publishedReason(ns, "fleet-" + i))));
      String address = node(ns, "fleet-0").getStatus().externalAddress();

      simulator.blankIngress(ns, "fleet-0-p2p", Duration.ofSeconds(4));
      Await.until("the ingress reads empty", WAIT, () -> service(ns, "fleet-0-p2p").getStatus().getLoadBalancer().getIngress()
          .isEmpty());
      Thread.sleep(2000);
      assertThat(node(ns, "fleet-0").getStatus().externalAddress()).isEqualTo(address);

      apply(ns, TestManifests.deployment("fleet", "", 1, "networking: {tcp: {}}", ""));
      Await.until("children 1 and 2 gone", WAIT, () -> node(ns, "fleet-1") == null && node(ns, "fleet-2") == null);
      Await.until("their Services gone (garbage collected, NLB finalizer released)", WAIT,
          () -> service(ns, "fleet-1-p2p") == null && service(ns, "fleet-2-p2p") == null);
      Await.until("their StatefulSets gone", WAIT, () -> statefulSet(ns, "fleet-1") == null && statefulSet(ns, "fleet-2") == null);
      assertThat(node(ns, "fleet-0").getStatus().externalAddress()).isEqualTo(address);
    }
  }

  @Test
  void aNonRoutableClusterCreatesNoServiceSaysWhyOnceAndConvergesWhenFixed() throws Exception {
    String ns = plane.newNamespace("unroutable");
    try (Controller controller = controller(ns, Map.of())) {
      apply(ns, TestManifests.fullNode("lonely", "networking: {tcp: {}}"));
      Await.until("NotRoutable", WAIT, () -> "NotRoutable".equals(publishedReason(ns, "lonely")));
      Thread.sleep(2000);
      assertThat(service(ns, "lonely-p2p")).isNull();
      assertThat(statefulSet(ns, "lonely")).isNull();
      assertThat(condition(ns, "lonely", "message")).isEqualTo("this cluster cannot publish: SEI_VPC_CIDR is not configured");
      assertThat(events(ns, "lonely")).containsOnlyOnce("NotRoutable");
    }
    try (Controller fixed = controller(ns)) {
      Await.until("published after the fix", WAIT, () -> "Published".equals(publishedReason(ns, "lonely")));
      Await.until("started", WAIT, () -> statefulSet(ns, "lonely") != null);
    }
  }

  @Test
  void aNewTargetTypeNeverTouchesAnExistingLoadBalancerAndSaysSo() {
    String ns = plane.newNamespace("kept-settings");
    try (Controller ipTargets = controller(ns)) {
      apply(ns, TestManifests.fullNode("veteran", "networking: {tcp: {}}"));
      Await.until("veteran published", WAIT, () -> "Published".equals(publishedReason(ns, "veteran")));
    }
    String address = node(ns, "veteran").getStatus().externalAddress();
    Map<String, String> instanceTargets = new HashMap<>(ROUTABLE);
    instanceTargets.put("SEI_NLB_TARGET_TYPE", "instance");
    try (Controller changed = controller(ns, instanceTargets)) {
      apply(ns, TestManifests.fullNode("newcomer", "networking: {tcp: {}}"));
      Await.until("newcomer published", WAIT, () -> "Published".equals(publishedReason(ns, "newcomer")));
      Await.until("a warning that the old Service keeps its settings",
          WAIT, () -> events(ns, "veteran").contains("KeptExisting"));

      Service veteran = service(ns, "veteran-p2p");
      assertThat(veteran.getMetadata().getAnnotations()).containsEntry(P2pService.TARGET_TYPE, "ip");
      assertThat(veteran.getSpec().getAllocateLoadBalancerNodePorts()).isFalse();
      assertThat(node(ns, "veteran").getStatus().externalAddress()).isEqualTo(address);
      assertThat(node(ns, "veteran").getStatus().conditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("LoadBalancerSettings");
        assertThat(c.getReason()).isEqualTo("KeptExisting");
      });
      assertThat(service(ns, "newcomer-p2p").getMetadata().getAnnotations())
          .containsEntry(P2pService.TARGET_TYPE, "instance");
    }
  }

  @Test
  void retainKeepsTheChildrenWhenTheDeploymentIsDeleted() {
    String ns = plane.newNamespace("retain");
    try (Controller controller = controller(ns)) {
      apply(ns, TestManifests.deployment("kept", "", 2, "deletionPolicy: Retain", ""));
      Await.until("children", WAIT, () -> node(ns, "kept-0") != null && node(ns, "kept-1") != null);

      client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").delete();

      Await.until("deployment gone", WAIT, () -> client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").get() == null);
      Await.until("children released", WAIT, () -> node(ns, "kept-0").getMetadata().getOwnerReferences().isEmpty());
      assertThat(node(ns, "kept-1")).isNotNull();
    }
  }

  // ---- helpers

  private static Controller controller(String ns) {
    return controller(ns, ROUTABLE);
  }

  /**
   * The controller as its ServiceAccount with the RBAC of manifests/base/rbac.yaml, watching one namespace, its
   * Lease in that namespace.
   */
  private static Controller controller(String ns, Map<String, String> network) {
    Map<String, String> env = new HashMap<>(network);
    env.put("SEI_WATCH_NAMESPACES", ns);
    env.put("POD_NAMESPACE", ns);
    env.put("HEALTH_PORT", "0");
    Rbac.grantLeaderElection(client, ns);
    KubernetesClient identity = plane.clientAsServiceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER);
    return Controller.start(ControllerConfig.fromEnv(env), identity, false);
  }

  /** The controller's sei_controller_writes_total lines from its /metrics. */
  private static String writesCounted(Controller controller) throws IOException, InterruptedException {
    String metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.healthPort()
            + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(line -> line.startsWith("sei_controller_writes_total"))
        .collect(Collectors.joining("\n"));
  }

  private static List<String> controllerWritesSince(Instant from) throws IOException {
    ObjectMapper json = new ObjectMapper();
    return Files.readAllLines(plane.auditLog()).stream().map(line -> {
          try {
            return json.readTree(line);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        })
        .filter(event -> CONTROLLER_USER.equals(event.at("/impersonatedUser/username").asText()))
        .filter(event -> List.of("create", "update", "patch", "delete").contains(event.path("verb").asText()))
        .filter(event -> !"leases".equals(event.at("/objectRef/resource").asText())) // leader election renewals
        .filter(event -> Instant.parse(event.path("requestReceivedTimestamp").asText()).isAfter(from))
        .map(event -> event.path("verb").asText() + " " + event.at("/objectRef/resource").asText() + " "
            + event.at("/objectRef/name").asText() + " " + event.at("/objectRef/subresource").asText())
        .toList();
  }

  private static void apply(String ns, String manifest) {
    Kubectl.Result result = plane.kubectl().runWithInput(manifest, "-n", ns, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

  private static SeiNode node(String ns, String name) {
    return client.resources(SeiNode.class).inNamespace(ns).withName(name).get();
  }

  private static Service service(String ns, String name) {
    return client.services().inNamespace(ns).withName(name).get();
  }

  private static StatefulSet statefulSet(String ns, String name) {
    return client.apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  private static ConfigMap configMap(String ns, String node) {
    return client.configMaps().inNamespace(ns).withName(NodeObjects.configMapName(node)).get();
  }

  private static String podTemplateHash(String ns, String node) {
    return statefulSet(ns, node).getSpec().getTemplate().getMetadata().getAnnotations().get(NodeObjects.CONFIG_HASH);
  }

  private static String publishedReason(String ns, String node) {
    return condition(ns, node, "reason");
  }

  private static String condition(String ns, String node, String field) {
    SeiNode found = node(ns, node);
    if (found == null || found.getStatus() == null) {
      return null;
    }
    return found.getStatus().conditions().stream().filter(c -> c.getType().equals("Published")).findFirst()
        .map(c -> field.equals("reason") ? c.getReason() : c.getMessage()).orElse(null);
  }

  private static int deploymentStatus(String ns, String name, String field) {
    JsonNode status = client.getKubernetesSerialization().convertValue(
        client.resources(SeiNodeDeployment.class).inNamespace(ns).withName(name).get().getStatus(), JsonNode.class);
    return status.path(field).asInt();
  }

  private static String events(String ns, String node) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> node.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason).reduce("", (a, b) -> a + " " + b);
  }
}
