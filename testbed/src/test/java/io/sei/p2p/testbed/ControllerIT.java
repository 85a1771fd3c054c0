package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.controller.SeiNodeDeploymentReconciler;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.P2pService;
import io.sei.p2p.resources.SeidSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The controller's promises, end to end on the real apiserver. */
class ControllerIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofSeconds(1), Duration.ofSeconds(2));

  @Test
  void aTcpDeploymentGetsAnNlbPerChildAndEachStartsOnlyOncePublished() {
    String ns = cluster.plane().newNamespace("publish");
    cluster.simulator().silence(ns, "fleet-2-p2p");
    try (LocalWebhook webhook = LocalWebhook.startFor(cluster.plane(), ns, TestCluster.ROUTABLE); Controller controller = controller(ns)) {
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
        Service headless = cluster.service(ns, child);
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("found before it is ready").isTrue();
        assertThat(headless.getSpec().getSelector()).containsExactly(Map.entry("sei.io/node", child));
        assertThat(headlessPorts(ns, child)).containsExactly("p2p 26656->26656", "rpc 26657->26657");
      }

      // fleet-2 has no load balancer yet: its StatefulSet is held, by the controller and by the webhook's gate
      Await.until("fleet-2 waiting for its load balancer", WAIT, () -> "LoadBalancerPending".equals(publishedReason(ns, "fleet-2")));
      assertThat(cluster.statefulSet(ns, "fleet-2")).isNull();
      Kubectl.Result direct = cluster.plane().kubectl().runWithInput(Manifests.statefulSet("fleet-2"), "-n", ns, "create", "-f", "-");
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
        assertThat(cluster.configMap(ns, child).getData().get(SeidSettings.CONFIG_TOML))
            .contains("external-address = \"" + host + ":26656\"");
      }

      // its address appears, but its name is not in DNS yet: the controller holds it (the gate would not: the
      // address is set)
      cluster.simulator().holdDns(ns, "fleet-2-p2p");
      cluster.simulator().speak(ns, "fleet-2-p2p");
      Await.until("fleet-2 waits for DNS after its address appears", WAIT,
          () -> "WaitingForDNS".equals(publishedReason(ns, "fleet-2")));
      assertThat(cluster.node(ns, "fleet-2").getStatus().externalAddress()).isNotNull();
      int waiting = TestCluster.reconciles(controller, "SeiNode");
      Await.until("fleet-2's name checked again", WAIT,
          () -> TestCluster.reconciles(controller, "SeiNode") >= waiting + 2);
      assertThat(cluster.statefulSet(ns, "fleet-2")).as("held while its name does not resolve").isNull();
      cluster.simulator().releaseDns(ns, "fleet-2-p2p");
      // the reconcile that creates the StatefulSet records the Event just after it
      Await.until("fleet-2 published and started", WAIT, () -> cluster.statefulSet(ns, "fleet-2") != null
          && cluster.events(ns, "fleet-2").contains("Published"));
      assertThat(cluster.events(ns, "fleet-2")).contains("LoadBalancerPending", "WaitingForDNS", "Published");
      Await.until("deployment status", WAIT, () -> deploymentStatus(ns, "fleet", "publishedReplicas") == 3
          && deploymentStatus(ns, "fleet", "readyReplicas") == 3);

      // a child whose pod stops being Ready (its probe fails) is no longer counted ready, though it still runs
      cluster.client().pods().inNamespace(ns).withName("fleet-1-0").editStatus(pod -> {
        pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
            .forEach(c -> c.setStatus("False"));
        return pod;
      });
      Await.until("readyReplicas counts Ready pods only", WAIT,
          () -> deploymentStatus(ns, "fleet", "readyReplicas") == 2);
      assertThat(deploymentStatus(ns, "fleet", "publishedReplicas")).isEqualTo(3);
    }
  }

  /**
   * Without the webhook's gate, the controller alone holds a node whose load balancer has no address yet, and then
   * one whose address does not resolve yet.
   */
  @Test
  void theControllerItselfHoldsANodeUntilItsLoadBalancerHasANameThatResolves() {
    String ns = cluster.plane().newNamespace("own-hold");
    cluster.simulator().silence(ns, "solo-p2p");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.fullNode("solo", "networking: {tcp: {}}"));
      Await.until("LoadBalancerPending", WAIT, () -> "LoadBalancerPending".equals(publishedReason(ns, "solo")));
      int reconciles = TestCluster.reconciles(controller, "SeiNode");
      // a change to one of its objects makes the controller decide again
      assertThat(cluster.plane().kubectl().run("-n", ns, "annotate", "service", "solo", "poke=1").succeeded()).isTrue();
      Await.until("reconciled again", WAIT, () -> TestCluster.reconciles(controller, "SeiNode") > reconciles);
      assertThat(cluster.statefulSet(ns, "solo")).as("no StatefulSet before the address").isNull();

      // an address whose name does not resolve yet: still held, however often the controller looks again
      cluster.simulator().holdDns(ns, "solo-p2p");
      cluster.simulator().speak(ns, "solo-p2p");
      Await.until("WaitingForDNS", WAIT, () -> "WaitingForDNS".equals(publishedReason(ns, "solo")));
      int waiting = TestCluster.reconciles(controller, "SeiNode");
      Await.until("the name checked again", WAIT, () -> TestCluster.reconciles(controller, "SeiNode") >= waiting + 2);
      assertThat(cluster.statefulSet(ns, "solo")).as("no StatefulSet before the name resolves").isNull();

      cluster.simulator().releaseDns(ns, "solo-p2p");
      // the reconcile that creates the StatefulSet writes the status just after it
      Await.until("published and started", WAIT, () -> cluster.statefulSet(ns, "solo") != null
          && "Published".equals(publishedReason(ns, "solo")));
    }
  }

  @Test
  void consumersPeerWithProducersTakeLatePublicationWithoutARestartAndIdleMeansNoWrites() throws Exception {
    String ns = cluster.plane().newNamespace("peers");
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
      // the reconcile that creates the StatefulSet writes the resolved peers to the status just after it
      Await.until("consumers-0 started", WAIT, () -> cluster.statefulSet(ns, "consumers-0") != null
          && cluster.node(ns, "consumers-0").getStatus().resolvedPeers() != null);
      String producer0 = cluster.node(ns, "producers-0").getStatus().externalAddress();
      String consumer1 = cluster.node(ns, "consumers-1").getStatus().externalAddress();
      assertThat(cluster.node(ns, "consumers-0").getStatus().resolvedPeers()).containsExactly(
          List.of(consumer1, producer0).stream().sorted().toArray(String[]::new));
      assertThat(cluster.configMap(ns, "consumers-0").getData().get(SeidSettings.CONFIG_TOML))
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
          .get(SeidSettings.CONFIG_TOML).contains(producer1Id + "@" + producer1));
      Await.until("and its status", WAIT, () -> cluster.node(ns, "consumers-0").getStatus().resolvedPeers().contains(producer1));
      assertThat(podTemplateHash(ns, "consumers-0")).as("a new peer never rolls the pod").isEqualTo(hashBefore);
      assertThat(cluster.statefulSet(ns, "consumers-0").getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(cluster.pod(ns, "consumers-0").getMetadata().getUid()).as("the pod started once").isEqualTo(podUid);
      assertThat(peersResolved(ns, "consumers-0").getMessage())
          .isEqualTo("3 peers; the running pod started with 2 (newer peers connect from their side and through peer "
              + "exchange)");

      // after convergence, an idle minute in which a restarted controller reconciles every node: no writes
      // (a deployment's status converges last: its readyReplicas follows its children's pods turning Ready)
      Await.until("every node converged", WAIT, () -> List.of("producers-0", "producers-1", "consumers-0", "consumers-1")
          .stream().allMatch(n -> cluster.statefulSet(ns, n) != null && "Resolved".equals(peersResolved(ns, n).getReason()))
          && deploymentStatus(ns, "producers", "readyReplicas") == 2
          && deploymentStatus(ns, "consumers", "readyReplicas") == 2);
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
    String ns = cluster.plane().newNamespace("optout");
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
      assertThat(cluster.configMap(ns, "fleet-0").getData().get(SeidSettings.CONFIG_TOML)).contains("external-address = \"\"");
    }
  }

  /** A paused node's pod stops while its load balancer and address stay, and it resumes as itself. */
  @Test
  void pausingStopsThePodAndKeepsTheLoadBalancerAndTheAddressThenResumes() {
    String ns = cluster.plane().newNamespace("pause");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.fullNode("napper", "networking: {tcp: {}}"));
      Await.until("running and published", WAIT, () -> runningPod(ns, "napper")
          && "Published".equals(publishedReason(ns, "napper")));
      String address = cluster.node(ns, "napper").getStatus().externalAddress();
      String nodeId = cluster.node(ns, "napper").getStatus().nodeId();
      String serviceUid = cluster.service(ns, "napper-p2p").getMetadata().getUid();
      String podUid = cluster.pod(ns, "napper").getMetadata().getUid();

      cluster.apply(ns, Manifests.fullNode("napper", "networking: {tcp: {}}\n  paused: true"));
      Await.until("the pod gone", WAIT, () -> cluster.pod(ns, "napper") == null);
      assertThat(cluster.statefulSet(ns, "napper").getSpec().getReplicas()).isZero();
      assertThat(cluster.service(ns, "napper-p2p").getMetadata().getUid()).as("the same load balancer")
          .isEqualTo(serviceUid);
      assertThat(cluster.node(ns, "napper").getStatus().externalAddress()).isEqualTo(address);

      cluster.apply(ns, Manifests.fullNode("napper", "networking: {tcp: {}}\n  paused: false"));
      Await.until("a new pod running", WAIT, () -> runningPod(ns, "napper")
          && !cluster.pod(ns, "napper").getMetadata().getUid().equals(podUid));
      assertThat(cluster.service(ns, "napper-p2p").getMetadata().getUid()).isEqualTo(serviceUid);
      assertThat(cluster.node(ns, "napper").getStatus().externalAddress()).isEqualTo(address);
      assertThat(cluster.node(ns, "napper").getStatus().nodeId()).isEqualTo(nodeId);
    }
  }

  /**
   * Another replica took the Lease while this one ran (a network partition, say): it stops within the renew deadline
   * so that its pod restarts and lists afresh, rather than write beside the new leader.
   */
  @Test
  void aLeaderWhoseLeaseAnotherReplicaTookGivesUp() throws InterruptedException {
    String ns = cluster.plane().newNamespace("lease-lost");
    CountDownLatch gaveUp = new CountDownLatch(1);
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE, gaveUp::countDown)) {
      Await.until("leading", WAIT, () -> lease(ns) != null && lease(ns).getSpec().getHolderIdentity() != null);
      String identity = lease(ns).getSpec().getHolderIdentity();

      cluster.client().resources(Lease.class).inNamespace(ns).withName(ControllerConfig.LEASE_NAME).edit(lease -> {
        lease.getSpec().setHolderIdentity("another-replica");
        lease.getSpec().setRenewTime(ZonedDateTime.now());
        return lease;
      });

      assertThat(gaveUp.await(Controller.LEASE_DURATION.toSeconds(), TimeUnit.SECONDS))
          .as("gave up within the Lease duration").isTrue();
      assertThat(lease(ns).getSpec().getHolderIdentity()).as("and left the Lease to its holder")
          .isEqualTo("another-replica").isNotEqualTo(identity);
    }
  }

  /**
   * A cache that stops for good hands over to {@code onFatal} (in production the process exits and its pod restarts),
   * rather than reconcile from a cache that no longer follows the cluster. Here a SeiNode the model cannot read stops
   * the informers, as an object of a CRD version this controller does not know would.
   */
  @Test
  void aControllerWhoseCacheStopsForGoodGivesUp() throws Exception {
    String ns = cluster.plane().newNamespace("cache-stopped");
    CountDownLatch gaveUp = new CountDownLatch(1);
    String crd = HasMetadata.getFullResourceName(SeiNode.class);
    JSONSchemaProps image = imageSchema(cluster.client().apiextensions().v1().customResourceDefinitions().withName(crd).get());
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE, gaveUp::countDown)) {
      cluster.apply(ns, Manifests.fullNode("readable", "networking: {http: {}}"));
      Await.until("the controller reconciled a node", WAIT, () -> cluster.node(ns, "readable").getStatus() != null);
      cluster.client().apiextensions().v1().customResourceDefinitions().withName(crd).edit(loosened -> {
        imageSchema(loosened).setType(null);
        imageSchema(loosened).setMinLength(null);
        imageSchema(loosened).setMaxLength(null);
        imageSchema(loosened).setXKubernetesPreserveUnknownFields(true);
        return loosened;
      });
      Await.until("a SeiNode whose image is an object is stored", WAIT, () -> cluster.plane().kubectl().runWithInput("""
          apiVersion: sei.io/v1alpha1
          kind: SeiNode
          metadata: {name: unreadable}
          spec: {chainId: pacific-1, image: {unreadable: true}, fullNode: {}}
          """, "-n", ns, "apply", "-f", "-").succeeded());

      assertThat(gaveUp.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the controller gave up").isTrue();
    } finally {
      cluster.plane().kubectl().run("-n", ns, "delete", "seinode", "unreadable", "--ignore-not-found", "--wait");
      cluster.client().apiextensions().v1().customResourceDefinitions().withName(crd).edit(restored -> {
        restored.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec")
            .getProperties().put("image", image);
        return restored;
      });
    }
  }

  private static JSONSchemaProps imageSchema(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec")
        .getProperties().get("image");
  }

  private static Lease lease(String ns) {
    return cluster.client().resources(Lease.class).inNamespace(ns).withName(ControllerConfig.LEASE_NAME).get();
  }

  private static boolean runningPod(String ns, String node) {
    return cluster.pod(ns, node) != null && "Running".equals(cluster.pod(ns, node).getStatus().getPhase());
  }

  @Test
  void aBlankIngressKeepsTheAddressAndScalingDownLeavesNoOrphans() throws Exception {
    String ns = cluster.plane().newNamespace("keep");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("fleet", "", 3, "networking: {tcp: {}}", ""));
      Await.until("all published", WAIT, () -> List.of(0, 1, 2).stream()
          .allMatch(i -> "Published".equals(publishedReason(ns, "fleet-" + i))));
      String address = cluster.node(ns, "fleet-0").getStatus().externalAddress();

      int reconciles = TestCluster.reconciles(controller, "SeiNode");
      cluster.simulator().blankIngress(ns, "fleet-0-p2p", Duration.ofSeconds(4));
      Await.until("the ingress reads empty", WAIT, () -> cluster.service(ns, "fleet-0-p2p").getStatus().getLoadBalancer().getIngress()
          .isEmpty());
      Await.until("the controller reconciled the empty read", WAIT,
          () -> TestCluster.reconciles(controller, "SeiNode") > reconciles);
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
  void whatTheWebhookWouldRefuseGetsValidFalseInItsWordsOneEventAndNoChildObject() {
    String bad = "abc@peer.example.com:26656";
    String node = Manifests.fullNode("bad-peer", "networking: {tcp: {}}\n  peers: [{static: {addresses: [\"" + bad
        + "\"]}}]");
    String deployment = Manifests.deployment("bad-fleet", "", 2, "",
        "peers: [{static: {addresses: [\"" + bad + "\"]}}]");
    // the webhook's own words for these objects, from a namespace it serves
    String served = cluster.plane().newNamespace("refused");
    String refusedNode;
    String refusedDeployment;
    try (LocalWebhook webhook = LocalWebhook.startFor(cluster.plane(), served, TestCluster.ROUTABLE)) {
      refusedNode = cluster.plane().kubectl().runWithInput(node, "-n", served, "apply", "-f", "-").stderr();
      refusedDeployment = cluster.plane().kubectl().runWithInput(deployment, "-n", served, "apply", "-f", "-").stderr();
    }
    assertThat(refusedNode).contains("SeiNode \"bad-peer\" is invalid: ");
    assertThat(refusedDeployment).contains("SeiNodeDeployment \"bad-fleet\" is invalid: ");

    // no webhook serves this namespace (down, or its validating configuration removed): the apiserver stores them
    String ns = cluster.plane().newNamespace("invalid");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, node);
      cluster.apply(ns, deployment);
      Await.until("bad-peer Valid=False", WAIT, () -> "Invalid".equals(cluster.reason(ns, "bad-peer", "Valid")));
      Await.until("bad-fleet Valid=False", WAIT, () -> cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns)
          .withName("bad-fleet").get().getStatus() != null && "Invalid".equals(deploymentCondition(ns, "bad-fleet",
          "Valid").getReason()));
      int reconciles = TestCluster.reconciles(controller, "SeiNode");
      cluster.apply(ns, node + "  podLabels: {team: a}\n"); // a new generation, with the same problem
      Await.until("reconciled again", WAIT, () -> TestCluster.reconciles(controller, "SeiNode") > reconciles
          && cluster.condition(ns, "bad-peer", "Valid").getObservedGeneration() == 2);

      assertThat(refusedNode).contains(cluster.condition(ns, "bad-peer", "Valid").getMessage());
      assertThat(refusedDeployment).contains(deploymentCondition(ns, "bad-fleet", "Valid").getMessage());
      assertThat(cluster.condition(ns, "bad-peer", "Valid").getMessage()).contains(bad);
      assertThat(cluster.events(ns, "bad-peer")).as("one Event, not one per reconcile").containsOnlyOnce("Invalid");
      assertThat(cluster.events(ns, "bad-fleet")).containsOnlyOnce("Invalid");
      assertThat(cluster.client().services().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(cluster.client().configMaps().inNamespace(ns).withLabel(WellKnown.LABEL_NODE).list().getItems()).isEmpty();
      assertThat(cluster.client().secrets().inNamespace(ns).withLabel(WellKnown.LABEL_NODE).list().getItems()).isEmpty();
      assertThat(cluster.client().apps().statefulSets().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(cluster.client().resources(SeiNode.class).inNamespace(ns).list().getItems()).as("no child of bad-fleet")
          .extracting(n -> n.getMetadata().getName()).containsExactly("bad-peer");

      String fixed = "ab".repeat(20) + "@peer.example.com:26656";
      cluster.apply(ns, node.replace(bad, fixed));
      Await.until("bad-peer valid once fixed", WAIT, () -> "Valid".equals(cluster.reason(ns, "bad-peer", "Valid")));
      Await.until("its objects made", WAIT, () -> cluster.service(ns, "bad-peer-p2p") != null);
    }
  }

  private Condition deploymentCondition(String ns, String name, String type) {
    return cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName(name).get().getStatus().conditions()
        .stream().filter(condition -> type.equals(condition.getType())).findFirst().orElseThrow();
  }

  @Test
  void aNonRoutableClusterCreatesNoServiceSaysWhyOnceAndConvergesWhenFixed() throws Exception {
    String ns = cluster.plane().newNamespace("unroutable");
    try (Controller controller = cluster.controller(ns, Map.of("SEI_NOT_ROUTABLE_RECHECK_SECONDS", "2"))) {
      cluster.apply(ns, Manifests.fullNode("lonely", "networking: {tcp: {}}"));
      Await.until("NotRoutable", WAIT, () -> "NotRoutable".equals(publishedReason(ns, "lonely")));
      int reconciles = TestCluster.reconciles(controller, "SeiNode");
      Await.until("looked at again and again, though nothing changed (the requeue)", WAIT,
          () -> TestCluster.reconciles(controller, "SeiNode") >= reconciles + 2);
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
    String ns = cluster.plane().newNamespace("kept-settings");
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

  /** Drift on either Service (ports, selector, labels) is put back; the load balancer and the pod stay as they are. */
  @Test
  void driftOnTheServicesIsRepairedAndTheLoadBalancerKept() {
    String ns = cluster.plane().newNamespace("drift");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.fullNode("drifty", "networking: {tcp: {}}"));
      Await.until("started", WAIT, () -> cluster.statefulSet(ns, "drifty") != null);
      Service balancer = cluster.service(ns, "drifty-p2p");
      String address = cluster.node(ns, "drifty").getStatus().externalAddress();
      String hash = podTemplateHash(ns, "drifty");

      assertThat(cluster.plane().kubectl().run("-n", ns, "patch", "service", "drifty-p2p", "--type=merge", "-p",
          "{\"metadata\":{\"labels\":{\"sei.io/component\":\"tampered\"}},"
              + "\"spec\":{\"selector\":{\"statefulset.kubernetes.io/pod-name\":\"someone-else-0\"},"
              + "\"ports\":[{\"name\":\"p2p\",\"protocol\":\"TCP\",\"port\":26000,\"targetPort\":26000}]}}")
          .succeeded()).isTrue();
      assertThat(cluster.plane().kubectl().run("-n", ns, "patch", "service", "drifty", "--type=merge", "-p",
          "{\"spec\":{\"ports\":[{\"name\":\"p2p\",\"protocol\":\"TCP\",\"port\":26000}]}}").succeeded()).isTrue();

      Await.until("the load balancer Service repaired", WAIT, () -> {
        Service now = cluster.service(ns, "drifty-p2p");
        return now.getSpec().getPorts().size() == 1 && now.getSpec().getPorts().get(0).getPort() == 26656
            && "drifty-0".equals(now.getSpec().getSelector().get("statefulset.kubernetes.io/pod-name"))
            && "p2p-lb".equals(now.getMetadata().getLabels().get("sei.io/component"));
      });
      Await.until("the headless Service repaired", WAIT, () -> headlessPorts(ns, "drifty").equals(
          List.of("p2p 26656->26656", "rpc 26657->26657")));
      Service repaired = cluster.service(ns, "drifty-p2p");
      assertThat(repaired.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(26656);
      assertThat(repaired.getMetadata().getUid()).as("the same Service, so the same load balancer")
          .isEqualTo(balancer.getMetadata().getUid());
      assertThat(repaired.getMetadata().getAnnotations()).containsAllEntriesOf(balancer.getMetadata().getAnnotations());
      assertThat(cluster.node(ns, "drifty").getStatus().externalAddress()).isEqualTo(address);
      assertThat(podTemplateHash(ns, "drifty")).as("the pod is not rolled").isEqualTo(hash);
    }
  }

  @Test
  void retainKeepsTheChildrenWhenTheDeploymentIsDeleted() {
    String ns = cluster.plane().newNamespace("retain");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("kept", "", 2, "deletionPolicy: Retain", ""));
      Await.until("children", WAIT, () -> cluster.node(ns, "kept-0") != null && cluster.node(ns, "kept-1") != null);
      assertThat(finalizers(ns, "kept")).as("the finalizer that releases the children")
          .containsExactly(SeiNodeDeploymentReconciler.FINALIZER);

      ConfigMap canary = ownedBy(ns, "kept");

      cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").delete();

      Await.until("deployment gone", WAIT, () -> cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName("kept").get() == null);
      Await.until("the garbage collector has dealt with its dependents", WAIT, () -> cluster.client().resource(canary).get() == null);
      assertThat(List.of("kept-0", "kept-1")).allSatisfy(child -> {
        assertThat(cluster.node(ns, child)).as(child + " kept").isNotNull();
        assertThat(cluster.node(ns, child).getMetadata().getOwnerReferences()).as(child + " released").isEmpty();
      });
    }
  }

  @Test
  void theDefaultDeletionPolicyDeletesTheChildrenWithTheirObjects() {
    String ns = cluster.plane().newNamespace("delete");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("gone", "", 2, "", "networking: {tcp: {}}"));
      Await.until("children started", WAIT, () -> cluster.statefulSet(ns, "gone-0") != null
          && cluster.statefulSet(ns, "gone-1") != null);
      assertThat(finalizers(ns, "gone")).as("no finalizer: the children go by their owner references, and a "
          + "deployment outliving its controller (an uninstall) is not kept").isEmpty();

      cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName("gone").delete();

      Await.until("children gone", WAIT, () -> cluster.node(ns, "gone-0") == null && cluster.node(ns, "gone-1") == null);
      Await.until("their Services and StatefulSets gone", WAIT, () -> cluster.client().services().inNamespace(ns).list()
          .getItems().isEmpty() && cluster.client().apps().statefulSets().inNamespace(ns).list().getItems().isEmpty());
      assertThat(cluster.client().secrets().inNamespace(ns).withLabel("sei.io/node").list().getItems())
          .as("node keys outlive their nodes").hasSize(2);
    }
  }

  @Test
  void switchingFromRetainToDeleteDropsTheFinalizerAndTheChildrenGoWithTheDeployment() {
    String ns = cluster.plane().newNamespace("switch");
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("switched", "", 1, "deletionPolicy: Retain", ""));
      Await.until("child and finalizer", WAIT, () -> cluster.node(ns, "switched-0") != null
          && finalizers(ns, "switched").contains(SeiNodeDeploymentReconciler.FINALIZER));

      cluster.apply(ns, Manifests.deployment("switched", "", 1, "deletionPolicy: Delete", ""));
      Await.until("finalizer dropped", WAIT, () -> finalizers(ns, "switched").isEmpty());
      cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName("switched").delete();

      Await.until("child gone with it", WAIT, () -> cluster.node(ns, "switched-0") == null);
    }
  }

  /** A ConfigMap owned by the deployment: once the garbage collector has removed it, it has seen the deletion. */
  private static ConfigMap ownedBy(String ns, String deployment) {
    SeiNodeDeployment owner = cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName(deployment).get();
    return cluster.client().resource(new ConfigMapBuilder().withNewMetadata().withName(deployment + "-canary").withNamespace(ns)
        .addNewOwnerReference().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(deployment).withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build())
        .create();
  }

  // ---- helpers

  private static List<String> finalizers(String ns, String deployment) {
    return cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName(deployment).get().getMetadata()
        .getFinalizers();
  }

  private static Controller controller(String ns) {
    return cluster.controller(ns, TestCluster.ROUTABLE);
  }

  private static String podTemplateHash(String ns, String node) {
    return cluster.statefulSet(ns, node).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(WellKnown.ANNOTATION_CONFIG_HASH);
  }

  /** The headless Service's ports as {@code name port->targetPort}. */
  private static List<String> headlessPorts(String ns, String node) {
    return cluster.service(ns, node).getSpec().getPorts().stream()
        .map(p -> p.getName() + " " + p.getPort() + "->" + p.getTargetPort().getIntVal()).toList();
  }

  private static String publishedReason(String ns, String node) {
    return cluster.reason(ns, node, "Published");
  }

  private static Condition peersResolved(String ns, String node) {
    return cluster.condition(ns, node, "PeersResolved");
  }

  private static int deploymentStatus(String ns, String name, String field) {
    JsonNode status = cluster.client().getKubernetesSerialization().convertValue(
        cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName(name).get().getStatus(), JsonNode.class);
    return status.path(field).asInt();
  }
}
