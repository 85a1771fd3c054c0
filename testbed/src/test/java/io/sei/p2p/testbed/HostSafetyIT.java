package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real node leaves this machine as it found it, since the tests run as root on developers' machines: its network is
 * its own namespace, so this machine's iptables and nftables rules (another cluster's {@code KUBE-*} chains, podman's
 * {@code CNI-*} ones) are the same while it runs and after; nothing new listens beyond loopback and the node's link;
 * and a node killed with its JVM is torn down by the next one to start, sysctls included. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostSafetyIT {

  /** Chains of other software on this machine, made for the test and removed after it: kind's, and podman's. */
  private static final List<List<String>> FOREIGN_CHAINS = List.of(
      List.of("iptables", "-w", "-t", "filter", "-N", "KUBE-FOO"),
      List.of("iptables", "-w", "-t", "filter", "-A", "KUBE-FOO", "-s", "10.123.0.0/16", "-j", "RETURN"),
      List.of("iptables", "-w", "-t", "nat", "-N", "CNI-0123456789abcdef01234567"),
      List.of("iptables", "-w", "-t", "nat", "-A", "CNI-0123456789abcdef01234567", "-d", "10.88.0.0/16", "-j",
          "ACCEPT"),
      List.of("iptables", "-w", "-t", "nat", "-A", "POSTROUTING", "-s", "10.88.0.0/16", "-j",
          "CNI-0123456789abcdef01234567"));
  private static final List<List<String>> FOREIGN_CHAINS_REMOVED = List.of(
      List.of("iptables", "-w", "-t", "nat", "-D", "POSTROUTING", "-s", "10.88.0.0/16", "-j",
          "CNI-0123456789abcdef01234567"),
      List.of("iptables", "-w", "-t", "nat", "-F", "CNI-0123456789abcdef01234567"),
      List.of("iptables", "-w", "-t", "nat", "-X", "CNI-0123456789abcdef01234567"),
      List.of("iptables", "-w", "-t", "filter", "-F", "KUBE-FOO"),
      List.of("iptables", "-w", "-t", "filter", "-X", "KUBE-FOO"));
  private static final Duration HELD_NODE_START = Duration.ofMinutes(4);

  private static HostState before;
  private static List<String> nftTablesBefore;

  @BeforeAll
  static void foreignChains() {
    LocalNode.checkPrerequisites();
    nftTablesBefore = nftTables();
    FOREIGN_CHAINS.forEach(Command::run);
    before = HostState.now();
    assertThat(before.iptables()).contains(":KUBE-FOO", "-A POSTROUTING -s 10.88.0.0/16 -j CNI-0123456789abcdef");
  }

  /** The chains, then the tables iptables' nf_tables back end made for them, which it leaves empty. */
  @AfterAll
  static void removeForeignChains() {
    FOREIGN_CHAINS_REMOVED.forEach(Command::exitCode);
    for (String table : nftTables()) {
      String[] words = table.split(" ");
      boolean empty = Command.output(List.of("nft", "list", "table", words[1], words[2])).lines().map(String::trim)
          .allMatch(l -> l.isEmpty() || l.startsWith("table ") || l.startsWith("chain ") || l.startsWith("type ")
              || l.equals("}"));
      if (!nftTablesBefore.contains(table) && empty) {
        Command.run(List.of("nft", "delete", "table", words[1], words[2]));
      }
    }
  }

  private static List<String> nftTables() {
    return Command.output(List.of("nft", "list", "tables")).lines().filter(l -> l.startsWith("table ")).toList();
  }

  @Test
  @Order(1)
  void whileANodeRunsAndAfterItThisMachinesTablesAreUntouchedAndNothingNewListensBeyondLoopbackAndTheLink()
      throws Exception {
    Set<String> listenersBefore = listeners();
    try (ControlPlane plane = ControlPlane.startForRealNode(
        ControlPlaneBinaries.locate("kubelet", "kube-proxy", "coredns", "pause"))) {
      HostsFile hostsFile = new HostsFile(Files.createDirectories(plane.workDir().resolve("lb-hosts"))
          .resolve("hosts"));
      try (LocalNode node = LocalNode.start(plane, hostsFile)) {
        HostState running = HostState.now();
        assertThat(running.iptables()).as("iptables-save, while the node runs").isEqualTo(before.iptables());
        assertThat(running.ip6tables()).as("ip6tables-save, while the node runs").isEqualTo(before.ip6tables());
        assertThat(running.nftables()).as("nft list ruleset, while the node runs").isEqualTo(before.nftables());
        assertThat(running.sysctls().get("net/ipv4/ip_forward")).as("this machine's ip_forward")
            .isEqualTo(before.sysctls().get("net/ipv4/ip_forward"));
        // kube-proxy's chains are there, in the node's namespace
        assertThat(Command.output(NodeNetwork.inside(List.of("iptables-save", "-t", "nat"))))
            .contains(":KUBE-SERVICES").doesNotContain("KUBE-FOO");

        List<String> beyond = new ArrayList<>();
        for (String listener : listeners()) {
          String address = listener.substring(0, listener.lastIndexOf(':'));
          if (!listenersBefore.contains(listener) && !address.startsWith("127.") && !address.equals("[::1]")
              && !address.equals(NodeNetwork.HOST_ADDRESS)) {
            beyond.add(listener);
          }
        }
        assertThat(beyond).as("new listeners on this machine beyond loopback and " + NodeNetwork.HOST_ADDRESS)
            .isEmpty();
        assertThat(LocalNode.resolve("kubernetes.default.svc.cluster.local")).as("the node works")
            .isEqualTo(ControlPlane.API_SERVICE_IP);
      }
    }

    assertThat(HostState.now()).as("this machine after the node").isEqualTo(before);
  }

  @Test
  @Order(2)
  void aNodeKilledWithItsJvmIsTornDownByTheNextOneAndThisMachineIsAsBefore() throws Exception {
    Path log = Files.createTempFile("held-node", ".log");
    LocalProcess held = JavaProcess.start("held-node", HeldNode.class, List.of(), Map.of(), log);
    Path heldPlane;
    List<ProcessHandle> heldPlaneProcesses;
    try {
      Await.until("the held node to be Ready", HELD_NODE_START, () -> HostState.read(log).contains("ready "));
      Matcher ready = Pattern.compile("ready (" + Pattern.quote(Path.of(System.getProperty("java.io.tmpdir")).toString()) + "/"
          + ControlPlane.WORK_DIR_PREFIX + "[0-9]+)").matcher(held.log());
      assertThat(ready.find()).isTrue();
      heldPlane = Path.of(ready.group(1));
      heldPlaneProcesses = held.handle().descendants()
          .filter(p -> Set.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
              .contains(Path.of(p.info().command().orElse("/")).getFileName().toString()))
          .toList();
    } catch (Throwable e) {
      held.handle().descendants().forEach(ProcessHandle::destroyForcibly);
      held.close();
      throw e;
    }

    held.handle().destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(held.handle().onExit().get().isAlive()).isFalse();
    assertThat(LocalNode.RECORD).as("the killed node's record, left behind").exists();
    assertThat(NodeNetwork.processesInside()).as("its containerd, kubelet and kube-proxy, left running").isNotEmpty();

    // its control plane is the test's own leftover, not the node's: the next node's start does not touch it
    heldPlaneProcesses.forEach(ProcessHandle::destroyForcibly);
    try (ControlPlane plane = ControlPlane.startForRealNode(
        ControlPlaneBinaries.locate("kubelet", "kube-proxy", "coredns", "pause"))) {
      assertThat(NodeNetwork.processesInside()).as("the killed node's processes, torn down").isEmpty();
      HostsFile hostsFile = new HostsFile(Files.createDirectories(plane.workDir().resolve("lb-hosts"))
          .resolve("hosts"));
      LocalNode.start(plane, hostsFile).close();
    } finally {
      heldPlaneProcesses.forEach(p -> p.onExit().join());
      try (Stream<Path> files = Files.walk(heldPlane)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }

    assertThat(HostState.now()).as("this machine after a killed node and the next one").isEqualTo(before);
  }

  /** Listening TCP and bound UDP sockets of this machine's network namespace, as address:port. */
  private static Set<String> listeners() {
    Set<String> listeners = new TreeSet<>();
    for (String line : Command.output(List.of("ss", "-ltnuH")).lines().toList()) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length >= 5) {
        listeners.add(columns[4]);
      }
    }
    return listeners;
  }

  /**
   * What a node could change on this machine: its packet filter rules (counters aside), the sysctls the kubelet
   * writes and the network ones, its links, routes and mounts.
   */
  record HostState(String iptables, String ip6tables, String nftables, Map<String, String> sysctls,
      Set<String> links, String routes, Set<String> mounts) {

    static HostState now() {
      Map<String, String> sysctls = new LinkedHashMap<>();
      Stream.concat(LocalNode.SYSCTLS.stream(), Stream.of("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding",
              "net/bridge/bridge-nf-call-iptables", "net/bridge/bridge-nf-call-ip6tables"))
          .forEach(key -> sysctls.put(key, read(Path.of("/proc/sys", key))));
      Set<String> links = new TreeSet<>();
      for (String line : Command.output(List.of("ip", "-o", "link", "show")).lines().toList()) {
        links.add(line.split(": ")[1].split("@")[0]);
      }
      Set<String> mounts = new TreeSet<>();
      read(Path.of("/proc/self/mounts")).lines().forEach(line -> mounts.add(line.split(" ")[1]));
      return new HostState(rules(Command.output(List.of("iptables-save"))),
          rules(Command.output(List.of("ip6tables-save"))),
          Command.output(List.of("nft", "list", "ruleset")).replaceAll("counter packets \\d+ bytes \\d+", "counter"),
          sysctls, links, Command.output(List.of("ip", "route", "show", "table", "all")), mounts);
    }

    /** iptables-save without its comments (dates) and counters. */
    private static String rules(String saved) {
      return String.join("\n", saved.lines().filter(line -> !line.startsWith("#"))
          .map(line -> line.replaceAll("\\[\\d+:\\d+]", "")).toList());
    }

    static String read(Path file) {
      try {
        return Files.readString(file).trim();
      } catch (IOException e) {
        return "absent";
      }
    }
  }
}
