package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.resources.SeidSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SeiNodes whose pods really run, on a real one-node cluster of this machine with the system installed as users
 * install it: each pod runs the seid stand-in (Tendermint v0.35.9 behind the {@code seid} script) from the files its
 * init containers prepare on its data claim (served by rancher's local-path-provisioner), with its key Secret, and
 * peers dial each other through the published load-balancer names, which the cluster's DNS resolves to the pods; and a
 * home imported from another node is refused rather than taken over. Needs root. The checks build on each other,
 * hence their order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeInPodIT {

  private static final String ROUTABLE_VPC_CIDRS = "10.0.0.0/16," + LocalNode.CLUSTER_CIDR;
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  /**
   * A node that was away comes back when its peers dial it again, and Tendermint backs off redialing a persistent
   * peer up to 5 minutes (MaxRetryTimePersistent); consumers, which publish no address, are never dialed.
   */
  private static final Duration RECONNECT_TIMEOUT = Duration.ofMinutes(6);
  private static final List<String> PUBLISHERS = List.of("pub-0", "pub-1", "pub-2", "pub-3");
  private static final List<String> CONSUMERS = List.of("cons-0", "cons-1");

  private static ControlPlane plane;
  private static LocalNode node;
  private static HostsFile hostsFile;
  private static LoadBalancerSimulator simulator;
  private static KubernetesClient client;
  private static String ns;

  @BeforeAll
  static void startCluster() throws Exception {
    plane = ControlPlane.startForRealNode(ControlPlaneBinaries.locate("kubelet", "kube-proxy", "coredns", "pause",
        "local-path-provisioner"));
    client = plane.client();
    hostsFile = new HostsFile(Files.createDirectories(plane.workDir().resolve("lb-hosts")).resolve("hosts"));
    node = LocalNode.start(plane, hostsFile);
    Images images = Images.build();
    node.importImages(images);
    SeidStandIn.importInto(node, plane.binaries());
    node.startLocalPathProvisioner(SeidStandIn.IMAGE);
    node.hostNamespace(Rbac.NAMESPACE);
    Kubectl.Result applied = Installation.apply(plane.kubectl(), Installation.write(
        plane.workDir().resolve("installation"), "self-signed", images, ROUTABLE_VPC_CIDRS,
        Map.of("SEI_STORAGE_CLASS", "local-path", "SEI_SIZE_FULL_NODE", "cpu=50m,memory=256Mi,storage=1Gi")));
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();
    ns = "mesh";
    node.hostNamespace(ns);
    // the chain's genesis, one that names a validator, through the genesis source the installation configures
    String genesis = SeidStandIn.genesis(plane.binaries().tendermint(), plane.workDir().resolve("genesis"));
    client.resource(new ConfigMapBuilder().withNewMetadata().withName(LocalSystem.GENESIS_CONFIGMAP).withNamespace(ns)
        .endMetadata().addToData(SeidSettings.GENESIS_FILE, genesis).build()).create();
    simulator = LoadBalancerSimulator.start(client, hostsFile, Duration.ofSeconds(1), Duration.ofSeconds(1));
    Await.until("the webhook and the controller to roll out", TIMEOUT, () -> Stream.of("sei-p2p-webhook",
        "sei-p2p-controller").allMatch(name -> Installation.rolledOut(
            client.apps().deployments().inNamespace(Rbac.NAMESPACE).withName(name).get())));
  }

  @AfterAll
  static void stopCluster() {
    if (simulator != null) {
      simulator.close();
    }
    if (node != null) {
      node.close();
    }
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  @Order(1)
  void eachPodRunsItsNodeWithItsKeyItsAddressAndItsPeersThroughThePublishedNames() throws Exception {
    apply("pub", "sei.io/role: publisher", 4, "networking: {tcp: {}}");
    apply("cons", "sei.io/role: consumer", 2, "");
    awaitMesh();

    Map<String, String> nodeIds = nodeIds();
    for (String name : all().toList()) {
      SeiNode seiNode = client.resources(SeiNode.class).inNamespace(ns).withName(name).get();
      JsonNode status = rpc(name, "status");
      assertThat(status.at("/node_info/id").asText()).as(name + "'s node ID, from the key Secret on its claim")
          .isEqualTo(seiNode.getStatus().nodeId());
      if (PUBLISHERS.contains(name)) {
        assertThat(status.at("/node_info/listen_addr").asText()).as(name + " announces its published address")
            .isEqualTo(seiNode.getStatus().externalAddress());
        assertThat(knownPeerIds(name)).as(name + "'s /net_info: the publishers it dials by their published names")
            .isEqualTo(othersOf(name, PUBLISHERS, nodeIds));
        assertThat(StandInReadings.rpcInPod(plane.kubectl(), ns, name, "net_info").path("n_peers").asInt())
            .as(name + "'s /net_info n_peers, asked inside its pod as ./run-local --cluster asks")
            .isEqualTo(PUBLISHERS.size() - 1);
      }
    }
    for (String name : all().toList()) {
      System.out.println(netInfoTable(name, nodeIds));
    }
  }

  @Test
  @Order(2)
  void anOverrideIsInTheFileSeidReadsInSeidsSpelling() {
    String config = exec("pub-0", "cat", "/sei/config/config.toml");

    assertThat(config).contains("max-connections = 50").doesNotContain("max_connections", "external_address",
        "persistent_peers");
    assertThat(section(config, "p2p")).contains("max-connections = 50",
        "external-address = \"" + client.resources(SeiNode.class).inNamespace(ns).withName("pub-0").get()
            .getStatus().externalAddress() + "\"");
  }

  @Test
  @Order(3)
  void aRestartedPodKeepsItsIdentityAndItsDataAndRejoins() {
    Map<String, String> nodeIds = nodeIds();
    exec("pub-0", "touch", "/sei/marker");
    Pod before = pod("pub-0");

    client.resource(before).delete();
    Await.until("pub-0's new pod running", TIMEOUT, () -> {
      Pod now = pod("pub-0");
      return now != null && !now.getMetadata().getUid().equals(before.getMetadata().getUid()) && ready(now);
    });
    pointNamesAtPods();
    awaitMesh();

    assertThat(rpc("pub-0", "status").at("/node_info/id").asText()).isEqualTo(nodeIds.get("pub-0"));
    assertThat(exec("pub-0", "ls", "/sei")).as("the claim's files").contains("marker");
  }

  @Test
  @Order(4)
  void aRecreatedSeiNodeTakesUpItsKeyAndItsClaim() {
    Map<String, String> nodeIds = nodeIds();
    exec("pub-1", "touch", "/sei/marker");
    String claimUid = client.persistentVolumeClaims().inNamespace(ns).withName("pub-1-data").get().getMetadata()
        .getUid();
    String nodeUid = client.resources(SeiNode.class).inNamespace(ns).withName("pub-1").get().getMetadata().getUid();
    String podUid = pod("pub-1").getMetadata().getUid();

    // its deployment creates it again; the old pod goes with the old SeiNode, by garbage collection
    client.resources(SeiNode.class).inNamespace(ns).withName("pub-1").delete();
    Await.until("pub-1 created again, with its node ID, and its new pod running", TIMEOUT, () -> {
      SeiNode again = client.resources(SeiNode.class).inNamespace(ns).withName("pub-1").get();
      Pod pod = pod("pub-1");
      return again != null && !again.getMetadata().getUid().equals(nodeUid) && again.getStatus() != null
          && again.getStatus().nodeId() != null && pod != null && !pod.getMetadata().getUid().equals(podUid)
          && ready(pod);
    });
    // it dials the other publishers by their names; they know its new load balancer's name only from peer exchange
    // or their next start (a recreated node gets a new Service, and seid has no live reload)
    pointNamesAtPods();
    Await.until("pub-1 connected to the other publishers", RECONNECT_TIMEOUT,
        () -> connectedPeers("pub-1").containsAll(othersOf("pub-1", PUBLISHERS, nodeIds)),
        () -> "pub-1 is connected to " + connectedPeers("pub-1"));

    assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("pub-1-data").get().getMetadata().getUid())
        .isEqualTo(claimUid);
    assertThat(rpc("pub-1", "status").at("/node_info/id").asText()).isEqualTo(nodeIds.get("pub-1"));
    assertThat(exec("pub-1", "ls", "/sei")).contains("marker");
  }

  @Test
  @Order(5)
  void anImportedHomeOfAnotherNodeIsRefusedWithAConditionUntilItIsThisNodes() {
    // a claim holding a home that another node initialised, with that node's key
    plane.kubectl().runWithInput("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: foreign-home}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: local-path
          resources: {requests: {storage: 1Gi}}
        """, "-n", ns, "apply", "-f", "-");
    // (without a genesis: the chain's comes from its source when the home has none)
    runOnClaim("home-maker", "tendermint init full --home /sei && rm /sei/config/genesis.json");
    Kubectl.Result applied = plane.kubectl().runWithInput("""
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata: {name: imported}
        spec:
          chainId: pacific-1
          image: %s
          fullNode: {}
          dataVolume: {import: {pvcName: foreign-home}}
          overrides: {network.rpc.listen_address: "tcp://0.0.0.0:26657"}
        """.formatted(SeidStandIn.IMAGE), "-n", ns, "apply", "-f", "-");
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();

    Await.until("the imported node's DataReady=False/HomeRejected", TIMEOUT,
        () -> "HomeRejected".equals(dataReady("imported").getReason()), () -> dataReady("imported").toString());
    String nodeId = client.resources(SeiNode.class).inNamespace(ns).withName("imported").get().getStatus().nodeId();
    assertThat(dataReady("imported").getStatus()).isEqualTo("False");
    assertThat(dataReady("imported").getMessage()).contains("/sei/config/node_key.json is the key of node ")
        .contains(", not of this node (" + nodeId + "): the home belongs to another node");
    assertThat(client.v1().events().inNamespace(ns).list().getItems()).as("a Warning Event")
        .anySatisfy(event -> {
          assertThat(event.getInvolvedObject().getName()).isEqualTo("imported");
          assertThat(event.getReason()).isEqualTo("HomeRejected");
          assertThat(event.getType()).isEqualTo("Warning");
        });

    // the operator pauses the node, gives the home this node's identity as the message says, and resumes it
    paused("imported", true);
    Await.until("the imported node's pod gone", TIMEOUT, () -> pod("imported") == null);
    runOnClaim("key-remover", "rm /sei/config/node_key.json");
    paused("imported", false);
    Await.until("the imported node running as itself", TIMEOUT, () -> pod("imported") != null
        && ready(pod("imported")) && "True".equals(dataReady("imported").getStatus()));
    assertThat(rpc("imported", "status").at("/node_info/id").asText()).isEqualTo(nodeId);
    assertThat(dataReady("imported").getReason()).isEqualTo("HomePrepared");
  }

  private static void paused(String name, boolean paused) {
    Kubectl.Result patched = plane.kubectl().run("patch", "seinode", name, "-n", ns, "--type", "merge", "-p",
        "{\"spec\": {\"paused\": " + paused + "}}");
    assertThat(patched.succeeded()).as(patched.toString()).isTrue();
  }

  /** Runs {@code script} once in a pod of the stand-in's image with claim foreign-home at /sei. */
  private static void runOnClaim(String name, String script) {
    Kubectl.Result created = plane.kubectl().runWithInput("""
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          restartPolicy: Never
          securityContext: {runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true}
          containers:
          - {name: run, image: "%s", command: [/bin/sh, -c, "%s"], volumeMounts: [{name: home, mountPath: /sei}]}
          volumes: [{name: home, persistentVolumeClaim: {claimName: foreign-home}}]
        """.formatted(name, SeidStandIn.IMAGE, script), "-n", ns, "apply", "-f", "-");
    assertThat(created.succeeded()).as(created.toString()).isTrue();
    Await.until(name + " done", TIMEOUT, () -> "Succeeded".equals(client.pods().inNamespace(ns).withName(name).get()
        .getStatus().getPhase()));
    client.pods().inNamespace(ns).withName(name).delete();
  }

  /** The node's DataReady condition; an empty one while it has none. */
  private static Condition dataReady(String name) {
    SeiNode seiNode = client.resources(SeiNode.class).inNamespace(ns).withName(name).get();
    Condition condition = seiNode == null || seiNode.getStatus() == null ? null
        : Conditions.find(seiNode.getStatus().conditions(), "DataReady");
    return condition == null ? new Condition() : condition;
  }

  private static void apply(String name, String labels, int replicas, String networking) {
    String manifest = Manifests.deployment(name, labels, replicas, networking, SeidStandIn.IMAGE, """
        peers: [{seinodeDeployment: {selector: {sei.io/role: publisher}}}]
              overrides:
                network.rpc.listen_address: tcp://0.0.0.0:26657
                network.p2p.max_connections: '50'""");
    Kubectl.Result result = plane.kubectl().runWithInput(manifest, "-n", ns, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

  /**
   * Every pod Ready (P2P listens), every published name resolving to its pod, every publisher connected to the
   * five other nodes and every consumer to the four publishers.
   */
  private static void awaitMesh() {
    Await.until("every pod Ready", TIMEOUT, () -> {
      pointNamesAtPods();
      return all().allMatch(name -> pod(name) != null && ready(pod(name)));
    });
    Map<String, String> nodeIds = nodeIds();
    for (String name : PUBLISHERS) {
      Await.until(name + " connected to the five other nodes", RECONNECT_TIMEOUT,
          () -> connectedPeers(name).equals(othersOf(name, all().toList(), nodeIds)),
          () -> name + " is connected to " + connectedPeers(name));
    }
    for (String name : CONSUMERS) {
      Await.until(name + " connected to the four publishers", RECONNECT_TIMEOUT,
          () -> connectedPeers(name).equals(othersOf(name, PUBLISHERS, nodeIds)),
          () -> name + " is connected to " + connectedPeers(name));
    }
  }

  /** Each published load-balancer name resolves, in the cluster's DNS, to its node's pod. */
  private static void pointNamesAtPods() {
    hostsFile.pointPublishedNamesAtPods(client, ns);
  }

  /** The peers a node is connected to now, from its log. */
  private static Set<String> connectedPeers(String name) {
    return StandInReadings.connectedPeersInPod(plane.kubectl(), ns, name);
  }

  private static Set<String> knownPeerIds(String name) {
    return new TreeSet<>(StandInReadings.knownPeers(rpc(name, "net_info")).keySet());
  }

  private static String netInfoTable(String name, Map<String, String> nodeIds) {
    List<String> lines = new ArrayList<>(List.of(name + " (status.nodeId " + nodeIds.get(name) + "): /net_info peers "
        + "and connected peers", "| peer node_id | url (net_info) | connected | SeiNode with that status.nodeId |",
        "|---|---|---|---|"));
    Set<String> connected = connectedPeers(name);
    Map<String, String> known = StandInReadings.knownPeers(rpc(name, "net_info"));
    Set<String> ids = new TreeSet<>(known.keySet());
    ids.addAll(connected);
    for (String id : ids) {
      lines.add("| " + id + " | " + known.getOrDefault(id, "(not listed)") + " | " + connected.contains(id) + " | "
          + nodeIds.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst()
              .orElse("(none)") + " |");
    }
    return String.join("\n", lines);
  }

  private static Set<String> othersOf(String name, List<String> among, Map<String, String> nodeIds) {
    return among.stream().filter(other -> !other.equals(name)).map(nodeIds::get)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Map<String, String> nodeIds() {
    Map<String, String> ids = new LinkedHashMap<>();
    all().forEach(name -> ids.put(name, client.resources(SeiNode.class).inNamespace(ns).withName(name).get()
        .getStatus().nodeId()));
    return ids;
  }

  private static JsonNode rpc(String name, String method) {
    return StandInReadings.rpc(pod(name).getStatus().getPodIP() + ":26657", method);
  }

  private static String exec(String name, String... command) {
    List<String> args = new ArrayList<>(List.of("exec", "-n", ns, WellKnown.podName(name), "-c",
        NodeObjects.SEID_CONTAINER, "--"));
    args.addAll(List.of(command));
    Kubectl.Result result = plane.kubectl().run(args.toArray(String[]::new));
    assertThat(result.succeeded()).as(result.toString()).isTrue();
    return result.stdout();
  }

  /** The lines of {@code [table]} in a TOML file. */
  private static String section(String toml, String table) {
    int start = toml.indexOf("\n[" + table + "]");
    int end = toml.indexOf("\n[", start + 1);
    return toml.substring(start, end < 0 ? toml.length() : end);
  }

  private static Pod pod(String name) {
    return client.pods().inNamespace(ns).withName(WellKnown.podName(name)).get();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static Stream<String> all() {
    return Stream.concat(PUBLISHERS.stream(), CONSUMERS.stream());
  }
}
