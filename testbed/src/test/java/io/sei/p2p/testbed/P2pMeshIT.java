package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.resources.SeidSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proof on the wire: real P2P nodes of seid's config lineage (Tendermint v0.35.9), each run from its SeiNode's
 * StatefulSet as the controller wrote it (init script, the project's preparation of seid's files, seid's command) with
 * its key Secret, its ConfigMap and the chain's genesis ConfigMap, form the mesh the SeiNodes declare. Node IDs,
 * {@code [p2p] persistent-peers} and {@code external-address}, and the overrides that put each node on its own loopback
 * address, are read by the program that reads them in production.
 */
class P2pMeshIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final List<String> PUBLISHERS = List.of("pub-0", "pub-1", "pub-2", "pub-3");
  private static final List<String> CONSUMERS = List.of("cons-0", "cons-1");

  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofSeconds(1), Duration.ofSeconds(1));

  @Test
  void theNodesFormTheMeshTheirPeerSourcesDeclare() throws Exception {
    String ns = cluster.plane().newNamespace("mesh");
    Path dir = Files.createTempDirectory("sei-p2p-mesh-");
    TendermintNode.Network network = TendermintNode.Network.create(cluster.plane().binaries().tendermint(), dir);
    Map<String, TendermintNode> running = new LinkedHashMap<>();
    Map<String, String> ip = new LinkedHashMap<>();
    all().forEach(node -> ip.put(node, "127.0.2." + (ip.size() + 1)));
    // the chain's genesis, through the product's genesis source (the test controller's SEI_GENESIS names it)
    cluster.client().resource(new ConfigMapBuilder().withNewMetadata().withName(LocalSystem.GENESIS_CONFIGMAP).withNamespace(ns)
        .endMetadata().addToData(SeidSettings.GENESIS_FILE, network.genesis()).build()).create();
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      // four tcp publishers peering with each other; two http consumers peering with the publishers
      for (String node : PUBLISHERS) {
        cluster.apply(ns, seiNode(node, "publisher", ip.get(node), "networking: {tcp: {}}"));
      }
      for (String node : CONSUMERS) {
        cluster.apply(ns, seiNode(node, "consumer", ip.get(node), ""));
      }
      Await.until("every node started with its full peer set", WAIT, () -> all().allMatch(node ->
          cluster.statefulSet(ns, node) != null && persistentPeerIds(ns, node).equals(expectedPeers(ns, node))));

      Map<String, String> hosts = new LinkedHashMap<>();
      PUBLISHERS.forEach(node -> hosts.put(host(ns, node), ip.get(node)));

      // the DNS gate's premise: with its name not resolving, the very config the controller wrote does not start
      try (TendermintNode early = start(network, ns, "pub-0", ip.get("pub-0"))) {
        assertThat(early.process().awaitExit(Duration.ofSeconds(30))).as("the node exits").isTrue();
        assertThat(early.process().exitCode()).isEqualTo(1);
        assertThat(early.process().log()).contains("failed to create node: error=\"error looking up host ("
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
            && running.get(node).peers().equals(others));
      }
      for (String node : CONSUMERS) {
        Set<String> publishers = PUBLISHERS.stream().map(nodeIds::get).collect(Collectors.toSet());
        Await.until(node + " connected to every publisher", WAIT,
            () -> running.get(node).answers() && running.get(node).peers().containsAll(publishers));
        assertThat(nodeIds.values()).as("every peer of " + node + " is a SeiNode of the mesh")
            .containsAll(running.get(node).peers());
      }
      for (String node : running.keySet()) {
        SeiNode seiNode = cluster.node(ns, node);
        assertThat(running.get(node).id()).as(node + "'s ID, as the node computes it from the key file")
            .isEqualTo(seiNode.getStatus().nodeId());
        if (PUBLISHERS.contains(node)) {
          assertThat(running.get(node).listenAddress()).as(node + " announces its load balancer's name")
              .isEqualTo(seiNode.getStatus().externalAddress()).isEqualTo(host(ns, node) + ":26656");
        }
      }
      for (TendermintNode node : running.values()) {
        assertThat(node.remoteHosts()).as(node.name() + "'s connections stay on loopback")
            .allSatisfy(remote -> assertThat(hosts.getOrDefault(remote, remote)).startsWith("127."));
      }
      System.out.println(netInfoNextToNodeIds(running.get("pub-0"), nodeIds));

      // a recreated load balancer: pub-0 restarts once onto its new name, on its claim (its home is kept), and
      // announces that name to its peers
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
      Await.until("pub-0 announces its new name", WAIT, () -> running.get("pub-0").answers()
          && (after + ":26656").equals(running.get("pub-0").listenAddress()));
      for (String peer : List.of("pub-1", "pub-2", "pub-3")) {
        Await.until(peer + " reconnected to pub-0", WAIT, () -> running.get(peer).peers()
            .contains(nodeIds.get("pub-0")));
      }
      assertThat(running.get("pub-0").id()).as("the same identity after the restart").isEqualTo(nodeIds.get("pub-0"));
      assertThat(cluster.statefulSet(ns, "pub-0").getMetadata().getGeneration()).as("rolled once")
          .isEqualTo(generation + 1L);
    } finally {
      running.values().forEach(TendermintNode::close);
    }
    assertThat(running.values()).as("every node's process stopped")
        .noneMatch(node -> node.process().isAlive());
    // kept when the test fails, for the nodes' logs
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    }
  }

  private static Stream<String> all() {
    return Stream.concat(PUBLISHERS.stream(), CONSUMERS.stream());
  }

  /**
   * A SeiNode labelled with its role, peering with the publishers, on its own loopback address: many nodes share one
   * machine here, so each listens on its own address (and takes connections that all come from loopback).
   */
  private static String seiNode(String name, String role, String ip, String networking) {
    return """
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata:
          name: %s
          labels: {sei.io/role: %s}
        spec:
          chainId: pacific-1
          image: ghcr.io/sei-protocol/seid:v6.6.2
          fullNode: {}
          %s
          peers: [{label: {selector: {sei.io/role: publisher}}}]
          overrides:
            network.p2p.listen_address: tcp://%s:26656
            network.rpc.listen_address: tcp://%s:26657
            network.p2p.allow_duplicate_ip: "true"
        """.formatted(name, role, networking, ip, ip);
  }

  /** A node's process, from its StatefulSet, ConfigMaps and key Secret as the apiserver holds them. */
  private static TendermintNode start(TendermintNode.Network network, String ns, String node, String ip) {
    Secret key = cluster.client().secrets().inNamespace(ns).withName(node + "-node-key").get();
    String nodeKey = new String(Base64.getDecoder().decode(key.getData().get(SeidSettings.NODE_KEY_FILE)),
        StandardCharsets.UTF_8);
    ConfigMap genesis = cluster.client().configMaps().inNamespace(ns).withName(LocalSystem.GENESIS_CONFIGMAP).get();
    return TendermintNode.start(network, node, cluster.statefulSet(ns, node), cluster.configMap(ns, node), genesis,
        nodeKey, ip + ":26657");
  }

  private static String host(String ns, String node) {
    String address = cluster.node(ns, node).getStatus().externalAddress();
    return address.substring(0, address.lastIndexOf(':'));
  }

  /** The node IDs in a node's rendered {@code [p2p] persistent-peers}. */
  private static Set<String> persistentPeerIds(String ns, String node) {
    return cluster.persistentPeers(ns, node).stream().map(peer -> peer.substring(0, peer.indexOf('@')))
        .collect(Collectors.toSet());
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

  private static String netInfoNextToNodeIds(TendermintNode node, Map<String, String> nodeIds) {
    List<String> lines = new ArrayList<>(List.of(node.name() + "'s /net_info peers, next to the SeiNodes' status.nodeId:",
        "| peer node_id (net_info) | url (net_info) | SeiNode with that status.nodeId |", "|---|---|---|"));
    node.knownPeers().forEach((id, listen) -> lines.add("| " + id + " | " + listen + " | " + nodeIds.entrySet().stream()
        .filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst().orElse("(none)") + " |"));
    return String.join("\n", lines);
  }
}
