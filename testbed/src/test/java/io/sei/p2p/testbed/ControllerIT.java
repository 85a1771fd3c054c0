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
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
    Crds.install(client);
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
      apply(ns, deployment("fleet", 3, "networking: {tcp: {}}", ""));

      for (int i = 0; i < 3; i++) {
        String child = "fleet-" + i;
        await("child " + child + " with tcp", () -> node(ns, child) != null
            && node(ns, child).getSpec().networking().tcpEnabled());
        await("Service " + child + "-p2p", () -> service(ns, child + "-p2p") != null);
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
      await("fleet-2 waiting for its load balancer", () -> "LoadBalancerPending".equals(publishedReason(ns, "fleet-2")));
      assertThat(statefulSet(ns, "fleet-2")).isNull();
      Kubectl.Result direct = plane.kubectl().runWithInput(statefulSetManifest("fleet-2"), "-n", ns, "create", "-f", "-");
      assertThat(direct.stderr()).contains("Error from server (Forbidden)")
          .contains("SeiNode fleet-2 publishes P2P over tcp but status.externalAddress is not set yet");

      for (int i = 0; i < 2; i++) {
        String child = "fleet-" + i;
        String host = LoadBalancerSimulator.hostnameOf(service(ns, child + "-p2p"));
        await(child + " published", () -> "Published".equals(publishedReason(ns, child)));
        SeiNode published = node(ns, child);
        assertThat(published.getStatus().externalAddress()).isEqualTo(host + ":26656");
        assertThat(published.getStatus().nodeId()).matches("[0-9a-f]{40}");
        await("StatefulSet " + child, () -> statefulSet(ns, child) != null);
        assertThat(published.getStatus().statefulSet()).isNotNull();
        assertThat(configMap(ns, child).getData().get(NodeConfig.FILE))
            .contains("external_address = \"" + host + ":26656\"");
      }

      simulator.speak(ns, "fleet-2-p2p");
      await("fleet-2 waits for DNS after its address appears",
          () -> "WaitingForDNS".equals(publishedReason(ns, "fleet-2")) || "Published".equals(publishedReason(ns, "fleet-2")));
      await("fleet-2 published and started", () -> statefulSet(ns, "fleet-2") != null);
      assertThat(events(ns, "fleet-2")).contains("LoadBalancerPending", "WaitingForDNS", "Published");
      await("deployment status", () -> deploymentStatus(ns, "fleet", "publishedReplicas") == 3
          && deploymentStatus(ns, "fleet", "readyReplicas") == 3);
    }
  }

  @Test
  void consumersPeerWithProducersFollowLatePublicationNeverListThemselvesAndIdleMeansNoWrites() throws Exception {
    String ns = plane.newNamespace("peers");
    Instant started = Instant.now();
    simulator.silence(ns, "producers-1-p2p");
    try (Controller controller = controller(ns)) {
      apply(ns, deployment("producers", 2, "networking: {tcp: {}}", "", "chain: pacific-1"));
      apply(ns, deployment("consumers", 2, "networking: {tcp: {}}",
          "peers: [{seinodeDeployment: {selector: {chain: pacific-1}}}]", "chain: pacific-1"));

      await("producers-0 published", () -> "Published".equals(publishedReason(ns, "producers-0")));
      await("consumers published", () -> "Published".equals(publishedReason(ns, "consumers-0"))
          && "Published".equals(publishedReason(ns, "consumers-1")));
      String producer0 = node(ns, "producers-0").getStatus().externalAddress();
      String consumer1 = node(ns, "consumers-1").getStatus().externalAddress();
      await("consumers-0 peers with producers-0 and consumers-1", () -> List.of(consumer1, producer0).stream().sorted()
          .toList().equals(node(ns, "consumers-0").getStatus().resolvedPeers()));
      assertThat(node(ns, "consumers-0").getStatus().resolvedPeers())
          .doesNotContain(node(ns, "consumers-0").getStatus().externalAddress());
      await("persistent_peers carry node IDs", () -> configMap(ns, "consumers-0").getData().get(NodeConfig.FILE)
          .contains(node(ns, "producers-0").getStatus().nodeId() + "@" + producer0));

      String hashBefore = podTemplateHash(ns, "consumers-0");
      simulator.speak(ns, "producers-1-p2p");
      await("producers-1 published", () -> "Published".equals(publishedReason(ns, "producers-1")));
      String producer1 = node(ns, "producers-1").getStatus().externalAddress();
      await("consumers-0 learns of producers-1", () -> node(ns, "consumers-0").getStatus().resolvedPeers()
          .contains(producer1));
      await("consumers-0 rolls to the new peers", () -> !hashBefore.equals(podTemplateHash(ns, "consumers-0")));

      // after convergence, an idle minute: the apiserver's audit log must show no write by the controller
      Thread.sleep(3000);
      Instant quietFrom = Instant.now();
      Thread.sleep(60_000);
      List<String> writes = controllerWritesSince(quietFrom);
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
      apply(ns, deployment("fleet", 2, "", "networking: {tcp: {}}"));
      await("both published and started", () -> statefulSet(ns, "fleet-0") != null && statefulSet(ns, "fleet-1") != null);
      String hashBefore = podTemplateHash(ns, "fleet-0");

      apply(ns, deployment("fleet", 2, "", "networking: {http: {}}"));

      await("Services deleted", () -> service(ns, "fleet-0-p2p") == null && service(ns, "fleet-1-p2p") == null);
      await("addresses cleared", () -> node(ns, "fleet-0").getStatus().externalAddress() == null
          && node(ns, "fleet-1").getStatus().externalAddress() == null);
      assertThat(publishedReason(ns, "fleet-0")).isEqualTo("TCPDisabled");
      await("pods roll to the new config", () -> !hashBefore.equals(podTemplateHash(ns, "fleet-0")));
      assertThat(configMap(ns, "fleet-0").getData().get(NodeConfig.FILE)).contains("external_address = \"\"");
    }
  }

  @Test
  void aBlankIngressKeepsTheAddressAndScalingDownLeavesNoOrphans() throws Exception {
    String ns = plane.newNamespace("keep");
    try (Controller controller = controller(ns)) {
      apply(ns, deployment("fleet", 3, "networking: {tcp: {}}", ""));
      await("all published", () -> List.of(0, 1, 2).stream()
          .allMatch(i -> "Published".equals(publishedReason(ns, "fleet-" + i))));
      String address = node(ns, "fleet-0").getStatus().externalAddress();

      simulator.blankIngress(ns, "fleet-0-p2p", Duration.ofSeconds(4));
      await("the ingress reads empty", () -> service(ns, "fleet-0-p2p").getStatus().getLoadBalancer().getIngress()
          .isEmpty());
      Thread.sleep(2000);
      assertThat(node(ns, "fleet-0").getStatus().externalAddress()).isEqualTo(address);

      apply(ns, deployment("fleet", 1, "networking: {tcp: {}}", ""));
      await("children 1 and 2 gone", () -> node(ns, "fleet-1") == null && node(ns, "fleet-2") == null);
      await("their Services gone (garbage collected, NLB finalizer released)",
          () -> service(ns, "fleet-1-p2p") == null && service(ns, "fleet-2-p2p") == null);
      await("their StatefulSets gone", () -> statefulSet(ns, "fleet-1") == null && statefulSet(ns, "fleet-2") == null);
      assertThat(node(ns, "fleet-0").getStatus().externalAddress()).isEqualTo(address);
    }
  }

  @Test
  void aNonRoutableClusterCreatesNoServiceSaysWhyOnceAndConvergesWhenFixed() throws Exception {
    String ns = plane.newNamespace("unroutable");
    try (Controller controller = controller(ns, Map.of())) {
      apply(ns, nodeManifest("lonely", "networking: {tcp: {}}"));
      await("NotRoutable", () -> "NotRoutable".equals(publishedReason(ns, "lonely")));
      Thread.sleep(2000);
      assertThat(service(ns, "lonely-p2p")).isNull();
      assertThat(statefulSet(ns, "lonely")).isNull();
      assertThat(condition(ns, "lonely", "message")).isEqualTo("this cluster cannot publish: SEI_VPC_CIDR is not configured");
      assertThat(events(ns, "lonely")).containsOnlyOnce("NotRoutable");
    }
    try (Controller fixed = controller(ns)) {
      await("published after the fix", () -> "Published".equals(publishedReason(ns, "lonely")));
      await("started", () -> statefulSet(ns, "lonely") != null);
    }
  }

  @Test
  void retainKeepsTheChildrenWhenTheDeploymentIsDeleted() {
    String ns = plane.newNamespace("retain");
    try (Controller controller = controller(ns)) {
      apply(ns, deployment("kept", 2, "", "").replace("  replicas: 2", "  replicas: 2\n  deletionPolicy: Retain"));
      await("children", () -> node(ns, "kept-0") != null && node(ns, "kept-1") != null);

      client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").delete();

      await("deployment gone", () -> client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").get() == null);
      await("children released", () -> node(ns, "kept-0").getMetadata().getOwnerReferences().isEmpty());
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

  private static void await(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (NullPointerException notYet) {
        // the object or field is not there yet
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for: " + what);
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

  private static String deployment(String name, int replicas, String networking, String templateExtra) {
    return deployment(name, replicas, networking, templateExtra, "role: " + name);
  }

  private static String deployment(String name, int replicas, String networking, String templateExtra, String label) {
    return """
        apiVersion: sei.io/v1alpha1
        kind: SeiNodeDeployment
        metadata:
          name: %s
          labels: {%s}
        spec:
          replicas: %d
          %s
          template:
            spec:
              chainId: pacific-1
              image: ghcr.io/sei-protocol/seid:v6.1.0
              fullNode: {}
              %s
        """.formatted(name, label, replicas, networking, templateExtra);
  }

  private static String nodeManifest(String name, String specTail) {
    return """
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata:
          name: %s
        spec:
          chainId: pacific-1
          image: ghcr.io/sei-protocol/seid:v6.1.0
          fullNode: {}
          %s
        """.formatted(name, specTail);
  }

  private static String statefulSetManifest(String node) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: %1$s, labels: {sei.io/node: %1$s}}
        spec:
          serviceName: %1$s
          selector: {matchLabels: {sei.io/node: %1$s}}
          template:
            metadata: {labels: {sei.io/node: %1$s}}
            spec: {containers: [{name: seid, image: seid}]}
        """.formatted(node);
  }
}
