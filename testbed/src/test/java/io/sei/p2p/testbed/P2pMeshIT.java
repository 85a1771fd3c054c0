package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.rules.NodeConfig;
import io.sei.p2p.rules.NodeObjects;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proof on the wire: real CometBFT nodes, each started with the key and the P2P settings the controller wrote for one
 * SeiNode, form the mesh the SeiNodes declare. Node IDs, {@code persistent_peers} and {@code external_address} are read
 * by the program that reads them in production (seid embeds CometBFT's P2P layer).
 */
@ExtendWith(ControlPlaneExtension.class)
class P2pMeshIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final List<String> PUBLISHERS = List.of("pub-0", "pub-1", "pub-2", "pub-3");
  private static final List<String> CONSUMERS = List.of("cons-0", "cons-1");

  private static ControlPlane plane;
  private static KubernetesClient client;
  private static TestCluster cluster;

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    plane = controlPlane;
    client = plane.client();
    cluster = TestCluster.start(plane, Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void theNodesFormTheMeshTheirPeerSourcesDeclare() throws Exception {
    String ns = plane.newNamespace("mesh");
    Path dir = Files.createTempDirectory("sei-p2p-mesh-");
    CometBftNode.Network network = CometBftNode.Network.create(plane.binaries().cometbft(), dir);
    Map<String, CometBftNode> running = new LinkedHashMap<>();
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      // four tcp publishers peering with each other; two http consumers peering with the publishers
      cluster.apply(ns, Manifests.deployment("pub", "sei.io/role: publisher", 4, "networking: {tcp: {}}",
          "peers: [{seinodeDeployment: {selector: {sei.io/role: publisher}}}]"));
      cluster.apply(ns, Manifests.deployment("cons", "sei.io/role: consumer", 2, "",
          "peers: [{seinodeDeployment: {selector: {sei.io/role: publisher}}}]"));
      Await.until("every node started with its full peer set", WAIT, () -> all().allMatch(node ->
          cluster.statefulSet(ns, node) != null && persistentPeerIds(ns, node).equals(expectedPeers(ns, node))));

      Map<String, String> ip = new LinkedHashMap<>();
      all().forEach(node -> ip.put(node, "127.0.2." + (ip.size() + 1)));
      Map<String, String> hosts = new LinkedHashMap<>();
      PUBLISHERS.forEach(node -> hosts.put(host(ns, node), ip.get(node)));

      // the DNS gate's premise: with its name not resolving, the very config the controller wrote does not start
      try (CometBftNode early = start(network, ns, "pub-0", ip.get("pub-0"))) {
        assertThat(early.process().awaitExit(Duration.ofSeconds(30))).as("cometbft exits").isTrue();
        assertThat(early.process().exitCode()).isEqualTo(1);
        assertThat(early.process().log()).contains("failed to create node: error looking up host ("
            + host(ns, "pub-0") + ")");
      }

      network.hosts(hosts);
      all().forEach(node -> running.put(node, start(network, ns, node, ip.get(node))));

      Map<String, String> nodeIds = new LinkedHashMap<>();
      all().forEach(node -> nodeIds.put(node, cluster.node(ns, node).getStatus().nodeId()));
      for (String node : PUBLISHERS) {
        Set<String> others = nodeIds.entrySet().stream().filter(e -> !e.getKey().equals(node))
            .map(Map.Entry::getValue).collect(Collectors.toSet());
        Await.until(node + " connected to every other node", WAIT, () -> running.get(node).answers()
            && running.get(node).peers().keySet().equals(others));
      }
      for (String node : CONSUMERS) {
        Set<String> publishers = PUBLISHERS.stream().map(nodeIds::get).collect(Collectors.toSet());
        Await.until(node + " connected to every publisher", WAIT,
            () -> running.get(node).answers() && running.get(node).peers().keySet().containsAll(publishers));
        assertThat(nodeIds.values()).as("every peer of " + node + " is a SeiNode of the mesh")
            .containsAll(running.get(node).peers().keySet());
      }
      for (String node : running.keySet()) {
        SeiNode seiNode = cluster.node(ns, node);
        assertThat(running.get(node).id()).as(node + "'s ID, as CometBFT computes it from the key")
            .isEqualTo(seiNode.getStatus().nodeId());
        if (PUBLISHERS.contains(node)) {
          assertThat(running.get(node).listenAddress()).as(node + " announces its load balancer's name")
              .isEqualTo(seiNode.getStatus().externalAddress()).isEqualTo(host(ns, node) + ":26656");
        }
      }
      for (CometBftNode node : running.values()) {
        assertThat(node.remoteIps()).as(node.name() + "'s connections stay on loopback")
            .allSatisfy(remote -> assertThat(remote).startsWith("127."));
      }
      System.out.println(netInfoNextToNodeIds(running.get("pub-0"), nodeIds));

      // a recreated load balancer: pub-0 restarts once onto its new name, and its peers know it by that name
      String before = host(ns, "pub-0");
      int generation = cluster.statefulSet(ns, "pub-0").getMetadata().getGeneration().intValue();
      cluster.simulator().recreate(ns, "pub-0-p2p");
      String after = cluster.simulator().hostnameNow(cluster.service(ns, "pub-0-p2p"));
      Await.until("pub-0 rolled onto its new name", WAIT, () -> (after + ":26656").equals(
          cluster.node(ns, "pub-0").getStatus().externalAddress())
          && cluster.statefulSet(ns, "pub-0").getMetadata().getGeneration() == generation + 1);
      hosts.remove(before);
      hosts.put(after, ip.get("pub-0"));
      network.hosts(hosts);
      running.remove("pub-0").close();
      running.put("pub-0", start(network, ns, "pub-0", ip.get("pub-0")));
      for (String peer : List.of("pub-1", "pub-2", "pub-3")) {
        Await.until(peer + " reconnected to pub-0 by its new name", WAIT, () -> (after + ":26656").equals(
            running.get(peer).peers().get(nodeIds.get("pub-0"))));
      }
      assertThat(cluster.statefulSet(ns, "pub-0").getMetadata().getGeneration()).as("rolled once")
          .isEqualTo(generation + 1L);
    } finally {
      running.values().forEach(CometBftNode::close);
    }
    assertThat(running.values()).as("every CometBFT process stopped")
        .noneMatch(node -> node.process().isAlive());
  }

  private static Stream<String> all() {
    return Stream.concat(PUBLISHERS.stream(), CONSUMERS.stream());
  }

  /** A node's CometBFT process, from its key Secret and its ConfigMap as the controller wrote them. */
  private static CometBftNode start(CometBftNode.Network network, String ns, String node, String ip) {
    Secret key = client.secrets().inNamespace(ns).withName(node + "-node-key").get();
    String nodeKey = new String(Base64.getDecoder().decode(key.getData().get(NodeObjects.NODE_KEY_FILE)),
        StandardCharsets.UTF_8);
    return CometBftNode.start(network, node, ip, nodeKey, cluster.configMap(ns, node).getData().get(NodeConfig.FILE));
  }

  private static String host(String ns, String node) {
    String address = cluster.node(ns, node).getStatus().externalAddress();
    return address.substring(0, address.lastIndexOf(':'));
  }

  /** The node IDs in a node's rendered {@code persistent_peers}. */
  private static Set<String> persistentPeerIds(String ns, String node) {
    var config = cluster.configMap(ns, node);
    if (config == null) {
      return Set.of();
    }
    String peers = CometBftNode.settings(config.getData().get(NodeConfig.FILE)).get("p2p").get("persistent_peers");
    Set<String> ids = new HashSet<>();
    for (String peer : peers.replace("\"", "").split(",")) {
      if (peer.contains("@")) {
        ids.add(peer.substring(0, peer.indexOf('@')));
      }
    }
    return ids;
  }

  /** The node IDs a node must list: the other publishers, or every publisher for a consumer. */
  private static Set<String> expectedPeers(String ns, String node) {
    Set<String> ids = new HashSet<>();
    for (String publisher : PUBLISHERS) {
      SeiNode peer = cluster.node(ns, publisher);
      if (!publisher.equals(node)) {
        ids.add(peer == null || peer.getStatus() == null ? "(" + publisher + " has no ID yet)"
            : peer.getStatus().nodeId());
      }
    }
    return ids;
  }

  private static String netInfoNextToNodeIds(CometBftNode node, Map<String, String> nodeIds) {
    List<String> lines = new ArrayList<>(List.of(node.name() + "'s /net_info peers, next to the SeiNodes' status.nodeId:",
        "| peer id (net_info) | listen_addr (net_info) | SeiNode with that status.nodeId |", "|---|---|---|"));
    node.peers().forEach((id, listen) -> lines.add("| " + id + " | " + listen + " | " + nodeIds.entrySet().stream()
        .filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst().orElse("(none)") + " |"));
    return String.join("\n", lines);
  }
}
