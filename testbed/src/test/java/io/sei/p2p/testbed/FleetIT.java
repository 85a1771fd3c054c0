package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.resources.SeidSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A fleet whose pods start once, at a small constant cost per node; pod IPs checked. */
class FleetIT {

  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final int FLEET = 100;
  /** BENCHMARKS.md's target for the controller's writes per node. */
  private static final long MAX_WRITES_PER_NODE = 15;
  private static final Duration IDLE = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofSeconds(2), Duration.ofSeconds(3));

  /** Two deployments of 50 whose children all peer with each other: every pod starts once, with all 99 peers. */
  @Test
  void aFleetConvergesWithEveryPodStartedOnceAtAConstantCostPerNode() throws InterruptedException {
    String ns = cluster.plane().newNamespace("fleet");
    Instant started = Instant.now();
    try (PodStarts pods = new PodStarts(cluster.client(), ns);
        Controller controller = cluster.controller(ns, Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
            "SEI_PEER_SETTLE_SECONDS", "60", "SEI_PEER_UPDATE_SECONDS", "15"))) {
      for (String name : List.of("mesh-a", "mesh-b")) {
        cluster.apply(ns, Manifests.deployment(name, "sei.io/role: mesh", FLEET / 2, "networking: {tcp: {}}",
            "peers: [{seinodeDeployment: {selector: {sei.io/role: mesh}}}]"));
      }
      List<String> nodes = IntStream.range(0, FLEET / 2).boxed()
          .flatMap(i -> List.of("mesh-a-" + i, "mesh-b-" + i).stream()).toList();

      Await.until("every pod Running with the full peer set in its config", WAIT, () -> nodes.stream().allMatch(n ->
          cluster.pod(ns, n) != null && "Running".equals(cluster.pod(ns, n).getStatus().getPhase())
              && peers(cluster.configMap(ns, n).getData().get(SeidSettings.CONFIG_TOML)) == FLEET - 1));

      Map<String, Set<String>> podUids = pods.uids();
      assertThat(podUids).as("a pod for every node").hasSize(FLEET);
      assertThat(pods.restarts()).as("every pod started exactly once").isZero();
      assertThat(nodes).allSatisfy(n -> {
        assertThat(cluster.statefulSet(ns, n).getMetadata().getGeneration()).as(n + "'s template never changed")
            .isEqualTo(1L);
        assertThat(cluster.pod(ns, n).getMetadata().getUid()).isIn(podUids.get(n + "-0"));
        assertThat(cluster.reason(ns, n, "Synced")).isEqualTo("Synced");
      });
      // every write the fleet costs, up to the end of an idle window that begins once writing has stopped
      int beforeIdle = writesOnceStill(ns, started);
      Thread.sleep(IDLE.toMillis());
      List<String> writes = cluster.controllerWrites(ns, started);
      assertThat(writes.subList(beforeIdle, writes.size())).as("writes in an idle window of " + IDLE.toSeconds()
          + " s").isEmpty();
      Map<String, Long> perNode = writes.stream().map(write -> nodeOf(write.substring(write.lastIndexOf(' ') + 1),
          nodes)).filter(Objects::nonNull).collect(Collectors.groupingBy(node -> node, Collectors.counting()));
      assertThat(perNode).as("a node for every write but its deployment's").hasSize(FLEET);
      assertThat(perNode).as("controller writes of each node, from the audit log").allSatisfy((node, count) ->
          assertThat(count).as(node).isLessThanOrEqualTo(MAX_WRITES_PER_NODE));
    }
  }

  /** With ip targets, a pod IP outside SEI_VPC_CIDR cannot be an NLB target. */
  @Test
  void aPodIpOutsideTheVpcCidrIsNotRoutable() {
    String ns = cluster.plane().newNamespace("pod-ip");
    // the cluster setting is valid, but KWOK's pod CIDRs (10.0.128.0/20, 10.0.144.0/20) lie outside 10.0.0.0/17
    try (Controller controller = cluster.controller(ns, Map.of("SEI_VPC_CIDR", "10.0.0.0/17"))) {
      cluster.apply(ns, Manifests.fullNode("outside", "networking: {tcp: {}}"));

      Await.until("the pod runs", WAIT, () -> cluster.pod(ns, "outside").getStatus().getPodIP() != null);
      String podIp = cluster.pod(ns, "outside").getStatus().getPodIP();
      Await.until("NotRoutable", WAIT, () -> "NotRoutable".equals(cluster.reason(ns, "outside", "Published")));

      assertThat(cluster.condition(ns, "outside", "Published").getMessage())
          .isEqualTo("this cluster cannot publish: pod IP " + podIp + " is outside VPC CIDR 10.0.0.0/17 (overlay "
              + "network)");
      SeiNode node = cluster.node(ns, "outside");
      assertThat(node.getStatus().externalAddress()).as("a published address is never taken back on a doubt")
          .isNotNull();
      Await.until("a Warning Event", WAIT, () -> cluster.events(ns, "outside").contains("NotRoutable"));
    }
  }

  /** How many writes the controller made in {@code ns} since {@code from}, once that count stood still for 10 s. */
  private static int writesOnceStill(String ns, Instant from) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    int last = -1;
    while (Instant.now().isBefore(deadline)) {
      int now = cluster.controllerWrites(ns, from).size();
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(10_000);
    }
    throw new AssertionError("the controller's writes did not stand still within " + WAIT.toSeconds() + " s");
  }

  /** The node whose object {@code name} is: the node, one of its objects ({@code <node>-p2p}) or an Event of it. */
  private static String nodeOf(String name, List<String> nodes) {
    return nodes.stream().filter(node -> name.equals(node) || name.startsWith(node + "-")
        || name.startsWith(node + ".")).max(Comparator.comparingInt(String::length)).orElse(null);
  }

  private static long peers(String toml) {
    return toml.lines().filter(line -> line.startsWith("persistent-peers")).findFirst()
        .map(line -> line.chars().filter(c -> c == '@').count()).orElse(0L);
  }
}
