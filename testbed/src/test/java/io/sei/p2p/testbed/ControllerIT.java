package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.rules.NodeConfig;
import io.sei.p2p.rules.P2pService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SPEC §8 scenarios 4-7 and the controller's promises, end to end on the real apiserver. */
@ExtendWith(ControlPlaneExtension.class)
class ControllerIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ControlPlane plane;
  private static KubernetesClient client;
  private static TestCluster cluster;

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    plane = controlPlane;
    client = plane.client();
    cluster = TestCluster.start(plane, Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aTcpDeploymentGetsAnNlbPerChildAndEachStartsOnlyOncePublished() {
    String ns = plane.newNamespace("publish");
    cluster.simulator().silence(ns, "fleet-2-p2p");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, TestCluster.ROUTABLE); Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("fleet", "", 3, "networking: {tcp: {}}", ""));

      for (int i = 0; i < 3; i++) {
        String child = "fleet-" + i;
        Await.until("child " + child + " with tcp", WAIT, () -> cluster.node(ns, child) != null
            && cluster.node(ns, child).getSpec().networking().tcpEnabled());
        Await.until("Service " + child + "-p2p", WAIT, () -> cluster.service(ns, child + "-p2p") != null);
        Service service = cluster.service(ns, child + "-p2p");
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
      assertThat(cluster.statefulSet(ns, "fleet-2")).isNull();
      Kubectl.Result direct = plane.kubectl().runWithInput(Manifests.statefulSet("fleet-2"), "-n", ns, "create", "-f", "-");
      assertThat(direct.stderr()).contains("Error from server (Forbidden)")
          .contains("SeiNode fleet-2 publishes P2P over tcp but status.externalAddress is not set yet");

      for (int i = 0; i < 2; i++) {
        String child = "fleet-" + i;
        String host = LoadBalancerSimulator.hostnameOf(cluster.service(ns, child + "-p2p"));
        Await.until(child + " published", WAIT, () -> "Published".equals(publishedReason(ns, child)));
        SeiNode published = cluster.node(ns, child);
        assertThat(published.getStatus().externalAddress()).isEqualTo(host + ":26656");
        assertThat(published.getStatus().nodeId()).matches("[0-9a-f]{40}");
        Await.until("StatefulSet " + child, WAIT, () -> cluster.statefulSet(ns, child) != null);
        assertThat(published.getStatus().statefulSet()).isNotNull();
        assertThat(cluster.configMap(ns, child).getData().get(NodeConfig.FILE))
            .contains("external_address = \"" + host + ":26656\"");
      }

      cluster.simulator().speak(ns, "fleet-2-p2p");
      Await.until("fleet-2 waits for DNS after its address appears", WAIT,
          () -> "WaitingForDNS".equals(publishedReason(ns, "fleet-2")) || "Published".equals(publishedReason(ns, "fleet-2")));
      Await.until("fleet-2 published and started", WAIT, () -> cluster.statefulSet(ns, "fleet-2") != null);
      assertThat(cluster.events(ns, "fleet-2")).contains("LoadBalancerPending", "WaitingForDNS", "Published");
      Await.until("deployment status", WAIT, () -> deploymentStatus(ns, "fleet", "publishedReplicas") == 3
          && deploymentStatus(ns, "fleet", "readyReplicas") == 3);
    }
  }

  @Test
  void consumersPeerWithProducersTakeLatePublicationWithoutARestartAndIdleMeansNoWrites() throws Exception {
    String ns = plane.newNamespace("peers");
    Instant started = Instant.now();
    cluster.simulator().silence(ns, "producers-1-p2p");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("producers", "chain: pacific-1", 2, "networking: {tcp: {}}", ""));
      cluster.apply(ns, Manifests.deployment("consumers", "chain: pacific-1", 2, "networking: {tcp: {}}",
          "peers: [{seinodeDeployment: {selector: {chain: pacific-1}}}]"));

      Await.until("producers-0 published", WAIT, () -> "Published".equals(publishedReason(ns, "producers-0")));
      Await.until("consumers published", WAIT, () -> "Published".equals(publishedReason(ns, "consumers-0"))
          && "Published".equals(publishedReason(ns, "consumers-1")));
      assertThat(peersResolved(ns, "consumers-0").getReason())
          .as("consumers wait for the silent producers-1 before their first start").isEqualTo("WaitingForPeers");
      assertThat(cluster.statefulSet(ns, "consumers-0")).isNull();
      // the settle time passes: they start with the peers that did publish
      Await.until("consumers-0 started", WAIT, () -> cluster.statefulSet(ns, "consumers-0") != null);
      String producer0 = cluster.node(ns, "producers-0").getStatus().externalAddress();
      String consumer1 = cluster.node(ns, "consumers-1").getStatus().externalAddress();
      assertThat(cluster.node(ns, "consumers-0").getStatus().resolvedPeers()).containsExactly(
          List.of(consumer1, producer0).stream().sorted().toArray(String[]::new));
      assertThat(cluster.configMap(ns, "consumers-0").getData().get(NodeConfig.FILE))
          .contains(cluster.node(ns, "producers-0").getStatus().nodeId() + "@" + producer0);
      Await.until("consumers-0's pod runs", WAIT, () -> cluster.pod(ns, "consumers-0") != null
          && "Running".equals(cluster.pod(ns, "consumers-0").getStatus().getPhase()));
      String podUid = cluster.pod(ns, "consumers-0").getMetadata().getUid();
      String hashBefore = podTemplateHash(ns, "consumers-0");

      cluster.simulator().speak(ns, "producers-1-p2p");
      Await.until("producers-1 published", WAIT, () -> "Published".equals(publishedReason(ns, "producers-1")));
      String producer1 = cluster.node(ns, "producers-1").getStatus().externalAddress();
      String producer1Id = cluster.node(ns, "producers-1").getStatus().nodeId();
      Await.until("consumers-0's config learns of producers-1", WAIT, () -> cluster.configMap(ns, "consumers-0").getData()
          .get(NodeConfig.FILE).contains(producer1Id + "@" + producer1));
      Await.until("and its status", WAIT, () -> cluster.node(ns, "consumers-0").getStatus().resolvedPeers().contains(producer1));
      assertThat(podTemplateHash(ns, "consumers-0")).as("a new peer never rolls the pod").isEqualTo(hashBefore);
      assertThat(cluster.statefulSet(ns, "consumers-0").getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(cluster.pod(ns, "consumers-0").getMetadata().getUid()).as("the pod started once").isEqualTo(podUid);
      assertThat(peersResolved(ns, "consumers-0").getMessage())
          .isEqualTo("3 peers; the running pod started with 2 (newer peers connect from their side and through peer "
              + "exchange)");

      // after convergence, an idle minute in which a restarted controller reconciles every node: no writes
      Await.until("every node converged", WAIT, () -> List.of("producers-0", "producers-1", "consumers-0", "consumers-1")
          .stream().allMatch(n -> cluster.statefulSet(ns, n) != null && "Resolved".equals(peersResolved(ns, n).getReason())));
      Instant quietFrom = Instant.now();
      String countedBefore = TestCluster.writesCounted(controller);
      controller.close();
      try (Controller restarted = controller(ns)) {
        Await.until("the restarted controller reconciled every node", WAIT,
            () -> TestCluster.reconciles(restarted, "SeiNode") >= 4 && TestCluster.reconciles(restarted, "SeiNodeDeployment") >= 2);
        Thread.sleep(60_000);
        assertThat(TestCluster.writesCounted(restarted)).as("the restarted controller's own write counters").isEmpty();
      }
      List<String> writes = cluster.controllerWrites(ns, quietFrom);
      assertThat(countedBefore).contains("sei_controller_writes_total{kind=\"Service\",verb=\"create\"}");
      assertThat(writes).as("writes by the controller during an idle minute").isEmpty();
      assertThat(cluster.controllerWrites(ns, started)).as("the same audit query sees the controller's earlier writes")
          .anySatisfy(write -> assertThat(write).startsWith("patch seinodes"))
          .anySatisfy(write -> assertThat(write).startsWith("patch services"));
    }
  }

  @Test
  void optingOutDeletesTheServicesClearsTheAddressesAndRollsThePods() {
    String ns = plane.newNamespace("optout");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("fleet", "", 2, "", "networking: {tcp: {}}"));
      Await.until("both published and started", WAIT, () -> cluster.statefulSet(ns, "fleet-0") != null && cluster.statefulSet(ns, "fleet-1") != null);
      String hashBefore = podTemplateHash(ns, "fleet-0");

      cluster.apply(ns, Manifests.deployment("fleet", "", 2, "", "networking: {http: {}}"));

      Await.until("Services deleted", WAIT, () -> cluster.service(ns, "fleet-0-p2p") == null && cluster.service(ns, "fleet-1-p2p") == null);
      Await.until("addresses cleared", WAIT, () -> cluster.node(ns, "fleet-0").getStatus().externalAddress() == null
          && cluster.node(ns, "fleet-1").getStatus().externalAddress() == null);
      assertThat(publishedReason(ns, "fleet-0")).isEqualTo("TCPDisabled");
      Await.until("pods roll to the new config", WAIT, () -> !hashBefore.equals(podTemplateHash(ns, "fleet-0")));
      assertThat(cluster.configMap(ns, "fleet-0").getData().get(NodeConfig.FILE)).contains("external_address = \"\"");
    }
  }

  @Test
  void aBlankIngressKeepsTheAddressAndScalingDownLeavesNoOrphans() throws Exception {
    String ns = plane.newNamespace("keep");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("fleet", "", 3, "networking: {tcp: {}}", ""));
      Await.until("all published", WAIT, () -> List.of(0, 1, 2).stream()
          .allMatch(i -> "Published".equals(publishedReason(ns, "fleet-" + i))));
      String address = cluster.node(ns, "fleet-0").getStatus().externalAddress();

      cluster.simulator().blankIngress(ns, "fleet-0-p2p", Duration.ofSeconds(4));
      Await.until("the ingress reads empty", WAIT, () -> cluster.service(ns, "fleet-0-p2p").getStatus().getLoadBalancer().getIngress()
          .isEmpty());
      Thread.sleep(2000);
      assertThat(cluster.node(ns, "fleet-0").getStatus().externalAddress()).isEqualTo(address);

      cluster.apply(ns, Manifests.deployment("fleet", "", 1, "networking: {tcp: {}}", ""));
      Await.until("children 1 and 2 gone", WAIT, () -> cluster.node(ns, "fleet-1") == null && cluster.node(ns, "fleet-2") == null);
      Await.until("their Services gone (garbage collected, NLB finalizer released)", WAIT,
          () -> cluster.service(ns, "fleet-1-p2p") == null && cluster.service(ns, "fleet-2-p2p") == null);
      Await.until("their StatefulSets gone", WAIT, () -> cluster.statefulSet(ns, "fleet-1") == null && cluster.statefulSet(ns, "fleet-2") == null);
      assertThat(cluster.node(ns, "fleet-0").getStatus().externalAddress()).isEqualTo(address);
    }
  }

  @Test
  void aNonRoutableClusterCreatesNoServiceSaysWhyOnceAndConvergesWhenFixed() throws Exception {
    String ns = plane.newNamespace("unroutable");
    try (Controller controller = cluster.controller(ns, Map.of())) {
      cluster.apply(ns, Manifests.fullNode("lonely", "networking: {tcp: {}}"));
      Await.until("NotRoutable", WAIT, () -> "NotRoutable".equals(publishedReason(ns, "lonely")));
      Thread.sleep(2000);
      assertThat(cluster.service(ns, "lonely-p2p")).isNull();
      assertThat(cluster.statefulSet(ns, "lonely")).isNull();
      assertThat(cluster.condition(ns, "lonely", "Published").getMessage()).isEqualTo("this cluster cannot publish: SEI_VPC_CIDR is not configured");
      assertThat(cluster.events(ns, "lonely")).containsOnlyOnce("NotRoutable");
    }
    try (Controller fixed = controller(ns)) {
      Await.until("published after the fix", WAIT, () -> "Published".equals(publishedReason(ns, "lonely")));
      Await.until("started", WAIT, () -> cluster.statefulSet(ns, "lonely") != null);
    }
  }

  @Test
  void aNewTargetTypeNeverTouchesAnExistingLoadBalancerAndSaysSo() {
    String ns = plane.newNamespace("kept-settings");
    try (Controller ipTargets = controller(ns)) {
      cluster.apply(ns, Manifests.fullNode("veteran", "networking: {tcp: {}}"));
      Await.until("veteran published", WAIT, () -> "Published".equals(publishedReason(ns, "veteran")));
    }
    String address = cluster.node(ns, "veteran").getStatus().externalAddress();
    Map<String, String> instanceTargets = new HashMap<>(TestCluster.ROUTABLE);
    instanceTargets.put("SEI_NLB_TARGET_TYPE", "instance");
    try (Controller changed = cluster.controller(ns, instanceTargets)) {
      cluster.apply(ns, Manifests.fullNode("newcomer", "networking: {tcp: {}}"));
      Await.until("newcomer published", WAIT, () -> "Published".equals(publishedReason(ns, "newcomer")));
      Await.until("a warning that the old Service keeps its settings",
          WAIT, () -> cluster.events(ns, "veteran").contains("KeptExisting"));

      Service veteran = cluster.service(ns, "veteran-p2p");
      assertThat(veteran.getMetadata().getAnnotations()).containsEntry(P2pService.TARGET_TYPE, "ip");
      assertThat(veteran.getSpec().getAllocateLoadBalancerNodePorts()).isFalse();
      assertThat(cluster.node(ns, "veteran").getStatus().externalAddress()).isEqualTo(address);
      assertThat(cluster.node(ns, "veteran").getStatus().conditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("LoadBalancerSettings");
        assertThat(c.getReason()).isEqualTo("KeptExisting");
      });
      assertThat(cluster.service(ns, "newcomer-p2p").getMetadata().getAnnotations())
          .containsEntry(P2pService.TARGET_TYPE, "instance");
    }
  }

  @Test
  void retainKeepsTheChildrenWhenTheDeploymentIsDeleted() {
    String ns = plane.newNamespace("retain");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("kept", "", 2, "deletionPolicy: Retain", ""));
      Await.until("children", WAIT, () -> cluster.node(ns, "kept-0") != null && cluster.node(ns, "kept-1") != null);

      client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").delete();

      Await.until("deployment gone", WAIT, () -> client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").get() == null);
      Await.until("children released", WAIT, () -> cluster.node(ns, "kept-0").getMetadata().getOwnerReferences().isEmpty());
      assertThat(cluster.node(ns, "kept-1")).isNotNull();
    }
  }

  // ---- helpers

  private static Controller controller(String ns) {
    return cluster.controller(ns, TestCluster.ROUTABLE);
  }

  private static String podTemplateHash(String ns, String node) {
    return cluster.statefulSet(ns, node).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(WellKnown.ANNOTATION_CONFIG_HASH);
  }

  private static String publishedReason(String ns, String node) {
    return cluster.reason(ns, node, "Published");
  }

  private static Condition peersResolved(String ns, String node) {
    return cluster.condition(ns, node, "PeersResolved");
  }

  private static int deploymentStatus(String ns, String name, String field) {
    JsonNode status = client.getKubernetesSerialization().convertValue(
        client.resources(SeiNodeDeployment.class).inNamespace(ns).withName(name).get().getStatus(), JsonNode.class);
    return status.path(field).asInt();
  }
}
