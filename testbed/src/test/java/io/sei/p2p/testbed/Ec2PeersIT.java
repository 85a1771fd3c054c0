package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.sei.p2p.controller.Controller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code ec2Tags} peer source on the real apiserver, against EC2 as moto serves it (through {@link Ec2Gate}, which
 * counts the calls and plays EC2's throttling and refusals): the node's {@code persistent-peers} holds exactly the
 * usable running instances, follows their changes without a restart, and keeps them through an outage.
 */
class Ec2PeersIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int REFRESH_SECONDS = 5;
  private static final String OTHER_REGION = "us-west-2";
  private static final Map<String, String> AWS_PROPERTIES = Map.of("aws.accessKeyId", "testing",
      "aws.secretAccessKey", "testing");
  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofSeconds(1), Duration.ofSeconds(1));
  private static Moto moto;
  private static Ec2Gate gate;
  private static String privateSubnet;
  private static int nodeIds;

  @BeforeAll
  static void start() throws Exception {
    Path logs = Files.createTempDirectory("sei-p2p-ec2-peers-");
    moto = Moto.start(ControlPlaneBinaries.locate("moto").motoServer(), logs.resolve("moto.log"));
    gate = Ec2Gate.start(moto);
    privateSubnet = moto.subnetOf(moto.seedVpc("ec2-peers"));
    // the in-process controller's SDK takes its credentials from the first link of the default chain
    AWS_PROPERTIES.forEach(System::setProperty);
  }

  @AfterAll
  static void stop() {
    AWS_PROPERTIES.keySet().forEach(System::clearProperty);
    if (gate != null) {
      gate.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @AfterEach
  void forward() {
    gate.mode(Ec2Gate.Mode.FORWARD);
  }

  @Test
  void theConfigHoldsExactlyTheUsableRunningInstancesAndFollowsThemWithoutARestart() {
    String ns = cluster.plane().newNamespace("ec2-peers");
    Map<String, String> group = Map.of("sei.io/test-group", ns, "role", "sentry");
    Tagged publicOne = run(group, null);
    Tagged ownPort = run(group, Map.of("sei.io/p2p-port", "30000"), null);
    Tagged privateOne = run(group, privateSubnet);
    Tagged stopped = run(group, null);
    moto.stopInstance(Moto.REGION, stopped.id());
    Moto.Instance noId = moto.runInstance(Moto.REGION, group, null);
    Moto.Instance badId = moto.runInstance(Moto.REGION, with(group, Map.of("sei.io/node-id", "ABC".repeat(13) + "D")),
        null);
    Tagged hostilePort = run(group, Map.of("sei.io/p2p-port",
        "26656,ffffffffffffffffffffffffffffffffffffffff@evil.example.com:26656"), null);
    moto.runInstance(OTHER_REGION, with(group, Map.of("sei.io/node-id", nodeId())), null);

    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.fullNode("edge", "networking: {tcp: {}}\n  peers: [{ec2Tags: {region: "
          + Moto.REGION + ", tags: " + flow(group) + "}}]"));

      Set<String> expected = Set.of(peer(publicOne, 26656), peer(ownPort, 30000), peer(privateOne, 26656));
      Await.until("edge's persistent-peers holds the three usable instances", WAIT,
          () -> expected.equals(cluster.persistentPeers(ns, "edge")), () -> cluster.persistentPeers(ns, "edge").toString());
      Set<String> hostPorts = expected.stream().map(entry -> entry.substring(entry.indexOf('@') + 1))
          .collect(Collectors.toSet());
      Await.until("status.resolvedPeers names them", WAIT, () -> cluster.node(ns, "edge").getStatus()
          .resolvedPeers() != null && hostPorts.equals(Set.copyOf(cluster.node(ns, "edge").getStatus().resolvedPeers())));
      Condition resolved = cluster.condition(ns, "edge", "PeersResolved");
      assertThat(resolved.getReason()).isEqualTo("InvalidPeers");
      assertThat(resolved.getMessage()).startsWith("3 peers left out: ")
          .contains("EC2 instance " + noId.id() + " in us-east-1 has no sei.io/node-id tag")
          .contains("EC2 instance " + badId.id() + " in us-east-1 has sei.io/node-id \"ABCABC")
          .contains("EC2 instance " + hostilePort.id() + " in us-east-1 has sei.io/p2p-port \"26656,fff")
          .doesNotContain(stopped.id());

      String podUid = cluster.pod(ns, "edge").getMetadata().getUid();
      moto.terminateInstance(Moto.REGION, publicOne.id());
      Tagged newcomer = run(group, null);
      long changed = System.nanoTime();
      Set<String> next = Set.of(peer(ownPort, 30000), peer(privateOne, 26656), peer(newcomer, 26656));
      Await.until("edge's persistent-peers follows the instances", WAIT,
          () -> next.equals(cluster.persistentPeers(ns, "edge")), () -> cluster.persistentPeers(ns, "edge").toString());
      long followedSeconds = Duration.ofNanos(System.nanoTime() - changed).toSeconds();
      System.out.printf("ec2Tags: the config followed a change of instances in %d s (refresh %d s)%n",
          followedSeconds, REFRESH_SECONDS);
      assertThat(followedSeconds).as("within a refresh period, plus the spacing of config updates and some slack")
          .isLessThanOrEqualTo(3L * REFRESH_SECONDS);
      assertThat(cluster.pod(ns, "edge").getMetadata().getUid()).as("a peer change restarts no pod")
          .isEqualTo(podUid);
    }
  }

  @Test
  void anOutageKeepsThePeersSaysWhyAndRecoversByItself() throws Exception {
    String ns = cluster.plane().newNamespace("ec2-outage");
    Map<String, String> group = Map.of("sei.io/test-group", ns);
    Set<String> expected = Set.of(peer(run(group, null), 26656), peer(run(group, null), 26656));
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.fullNode("steady", "networking: {tcp: {}}\n  peers: [{ec2Tags: {region: "
          + Moto.REGION + ", tags: " + flow(group) + "}}]"));
      Await.until("steady resolved its two instances", WAIT, () -> expected.equals(cluster.persistentPeers(ns, "steady"))
          && "Resolved".equals(cluster.reason(ns, "steady", "PeersResolved")));
      List<String> resolvedPeers = cluster.node(ns, "steady").getStatus().resolvedPeers();

      gate.mode(Ec2Gate.Mode.THROTTLE);
      Await.until("PeersResolved=False/Ec2Unavailable", WAIT,
          () -> "Ec2Unavailable".equals(cluster.reason(ns, "steady", "PeersResolved")));
      assertThat(cluster.condition(ns, "steady", "PeersResolved").getMessage())
          .startsWith("EC2 DescribeInstances in us-east-1 failed (RequestLimitExceeded: Request limit exceeded.); "
              + "the instances of EC2's last answer are kept");
      int callsBefore = gate.describeCalls();
      Thread.sleep(Duration.ofSeconds(3L * REFRESH_SECONDS).toMillis());
      assertThat(gate.describeCalls()).as("EC2 is still being asked").isGreaterThan(callsBefore);
      assertThat(cluster.persistentPeers(ns, "steady")).as("the outage never shrinks the set").isEqualTo(expected);
      assertThat(cluster.node(ns, "steady").getStatus().resolvedPeers()).isEqualTo(resolvedPeers);

      gate.mode(Ec2Gate.Mode.DENY);
      Await.until("PeersResolved=False/Ec2Unauthorized", WAIT,
          () -> "Ec2Unauthorized".equals(cluster.reason(ns, "steady", "PeersResolved")));
      assertThat(cluster.condition(ns, "steady", "PeersResolved").getMessage())
          .contains("UnauthorizedOperation").contains("needs ec2:DescribeInstances");
      assertThat(cluster.persistentPeers(ns, "steady")).isEqualTo(expected);

      gate.mode(Ec2Gate.Mode.FORWARD);
      Await.until("PeersResolved back to Resolved by itself", WAIT,
          () -> "Resolved".equals(cluster.reason(ns, "steady", "PeersResolved")));
      assertThat(cluster.persistentPeers(ns, "steady")).isEqualTo(expected);
    }
  }

  @Test
  void aFleetListingOneSourceCostsOneDescribeInstancesPerRefreshPeriod() throws Exception {
    String ns = cluster.plane().newNamespace("ec2-fleet");
    Map<String, String> group = Map.of("sei.io/test-group", ns);
    Set<String> expected = Set.of(peer(run(group, null), 26656), peer(run(group, null), 26656));
    int replicas = 30;
    try (Controller controller = controller(ns)) {
      cluster.apply(ns, Manifests.deployment("fleet", "", replicas, "networking: {tcp: {}}",
          "peers: [{ec2Tags: {region: " + Moto.REGION + ", tags: " + flow(group) + "}}]"));
      Await.until("every child lists the two instances", Duration.ofSeconds(180),
          () -> IntStream.range(0, replicas).allMatch(i -> expected.equals(cluster.persistentPeers(ns, "fleet-" + i))));

      int callsBefore = gate.describeCalls();
      long from = System.nanoTime();
      Thread.sleep(Duration.ofSeconds(6L * REFRESH_SECONDS).toMillis());
      int calls = gate.describeCalls() - callsBefore;
      double periods = (System.nanoTime() - from) / (double) Duration.ofSeconds(REFRESH_SECONDS).toNanos();
      System.out.printf("ec2Tags: %d nodes listing one source made %d DescribeInstances calls in %.1f refresh "
          + "periods%n", replicas, calls, periods);
      assertThat(calls).as("one call per refresh period for the whole fleet").isBetween(1, (int) periods + 1);
    }
  }

  private static Controller controller(String ns) {
    Map<String, String> env = new HashMap<>(TestCluster.ROUTABLE);
    env.put("SEI_EC2_ENDPOINT", gate.endpoint());
    env.put("SEI_EC2_REFRESH_SECONDS", Integer.toString(REFRESH_SECONDS));
    return cluster.controller(ns, env);
  }

  /** An instance the test ran, with the node ID it tagged it with. */
  private record Tagged(Moto.Instance instance, String nodeId) {
    String id() {
      return instance.id();
    }
  }

  /** Runs an instance of {@code group} with a fresh node ID. */
  private static Tagged run(Map<String, String> group, String subnet) {
    return run(group, Map.of(), subnet);
  }

  private static Tagged run(Map<String, String> group, Map<String, String> extra, String subnet) {
    String nodeId = nodeId();
    return new Tagged(moto.runInstance(Moto.REGION, with(group, with(extra, Map.of("sei.io/node-id", nodeId))),
        subnet), nodeId);
  }

  private static Map<String, String> with(Map<String, String> tags, Map<String, String> more) {
    Map<String, String> all = new HashMap<>(more);
    all.putAll(tags);
    return all;
  }

  private static synchronized String nodeId() {
    return String.format("%040x", ++nodeIds + 0xabc000L);
  }

  /**
   * The entry the spec says an instance makes: its node ID tag, then its public DNS name, else public IP, else
   * private DNS name, else private IP (as moto answered RunInstances), and the port.
   */
  private static String peer(Tagged tagged, int port) {
    Moto.Instance instance = tagged.instance();
    String host = Arrays.asList(instance.publicDnsName(), instance.publicIp(), instance.privateDnsName(),
        instance.privateIp()).stream().filter(h -> h != null).findFirst().orElseThrow();
    return tagged.nodeId() + "@" + host + ":" + port;
  }

  private static String flow(Map<String, String> tags) {
    return tags.entrySet().stream().map(tag -> "\"" + tag.getKey() + "\": \"" + tag.getValue() + "\"")
        .collect(Collectors.joining(", ", "{", "}"));
  }

}
