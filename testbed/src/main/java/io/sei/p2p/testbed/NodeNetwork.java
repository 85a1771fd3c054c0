package io.sei.p2p.testbed;

import io.sei.p2p.net.Cidr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The real node's own network namespace, as kind gives each node a container: the node's containerd, kubelet and
 * kube-proxy run in it, so its bridge, iptables chains, conntrack table, ip_forward and br_netfilter settings are the
 * namespace's, and this machine's are never touched. A veth pair joins the two: this machine is
 * {@link #HOST_ADDRESS} (where the apiserver listens), the node {@link #NODE_ADDRESS}, and this machine routes the
 * pods' and Services' ranges to the node on routes that belong to the link.
 *
 * <p>Removing it is unmounting {@link #NAMESPACE}: once the node's processes are gone the kernel frees the namespace,
 * and with it the pair, its routes, and everything the node made in it.
 */
final class NodeNetwork {

  /** The namespace, kept by a bind mount on this file; in /run, which a reboot clears. */
  static final Path NAMESPACE = Path.of("/run/sei-p2p-node-network/net");
  static final String HOST_LINK = "sei-p2p-veth";
  static final String NODE_LINK = "eth0";
  static final String LINK_SUBNET = "10.250.250.0/30";
  static final String HOST_ADDRESS = "10.250.250.1";
  static final String NODE_ADDRESS = "10.250.250.2";
  private static final Duration LINK_RELEASE = Duration.ofSeconds(30);
  /** What this machine reaches through the node: its pods (for the tests) and its Services (for the apiserver). */
  static final List<String> ROUTED = List.of(LocalNode.POD_SUBNET, ControlPlane.SERVICE_RANGE);

  private NodeNetwork() {
  }

  /** {@code command}, run in the node's namespace (and only there: the mount namespace stays this machine's). */
  static List<String> inside(List<String> command) {
    return Stream.concat(Stream.of("nsenter", "--net=" + NAMESPACE, "--"), command.stream()).toList();
  }

  /**
   * Makes the namespace and the link, after removing an earlier run's namespace that nothing runs in any more. Refuses,
   * changing nothing, when a node still runs in it, or when this machine has a link of that name or a route into the
   * ranges the link would take: those are someone else's.
   */
  static void create() {
    if (Files.exists(NAMESPACE)) {
      List<Long> inside = processesInside();
      if (!inside.isEmpty()) {
        throw new IllegalStateException("a local node already runs on this machine: processes " + inside + " are in "
            + "its network namespace " + NAMESPACE);
      }
      remove();
    }
    if (Command.exitCode(List.of("ip", "link", "show", HOST_LINK)) == 0) {
      throw new IllegalStateException("this machine has a network link named " + HOST_LINK + " that no local node "
          + "recorded; a real node needs that name. If it is left from an earlier run, remove it: ip link del "
          + HOST_LINK);
    }
    List<String> conflicts = conflicts(Command.output(List.of("ip", "-4", "route", "show", "table", "all")));
    if (!conflicts.isEmpty()) {
      throw new IllegalStateException("a real node routes " + String.join(", ", rangesOfTheLink()) + " from this "
          + "machine into its network namespace, and this machine already has routes there: "
          + String.join("; ", conflicts) + ". Nothing was changed");
    }
    LocalFiles.mkdirs(NAMESPACE.getParent());
    try {
      Files.createFile(NAMESPACE);
      Command.run(List.of("unshare", "--net=" + NAMESPACE, "true"));
      Command.run(List.of("ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", NODE_LINK,
          "netns", NAMESPACE.toString()));
      Command.run(List.of("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", HOST_LINK));
      Command.run(List.of("ip", "link", "set", HOST_LINK, "up"));
      Command.run(inside(List.of("ip", "link", "set", "lo", "up")));
      Command.run(inside(List.of("ip", "addr", "add", NODE_ADDRESS + "/30", "dev", NODE_LINK)));
      Command.run(inside(List.of("ip", "link", "set", NODE_LINK, "up")));
      Command.run(inside(List.of("ip", "route", "add", "default", "via", HOST_ADDRESS)));
      // the node forwards between its pods' bridge and the link, and hands bridged replies to kube-proxy's NAT
      Command.run(inside(List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1",
          "net.bridge.bridge-nf-call-iptables=1")));
      for (String range : ROUTED) {
        Command.run(List.of("ip", "route", "add", range, "via", NODE_ADDRESS, "dev", HOST_LINK));
      }
    } catch (IOException | RuntimeException e) {
      remove();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /**
   * Frees the namespace, the link and its routes: they are all this network's. The kernel frees a namespace in the
   * background once nothing holds it; this waits until the link is gone, so that the machine is as before on return.
   */
  static void remove() {
    if (Command.exitCode(List.of("mountpoint", "-q", NAMESPACE.toString())) == 0) {
      List<Long> inside = processesInside();
      Command.run(List.of("umount", NAMESPACE.toString()));
      if (inside.isEmpty()) {
        Instant deadline = Instant.now().plus(LINK_RELEASE);
        while (Command.exitCode(List.of("ip", "link", "show", HOST_LINK)) == 0 && Instant.now().isBefore(deadline)) {
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
      } else {
        System.err.println("processes " + inside + " are still in the node's network namespace; it and the link "
            + HOST_LINK + " go when they end");
      }
    }
    try {
      Files.deleteIfExists(NAMESPACE);
      Files.deleteIfExists(NAMESPACE.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The processes whose network namespace is the node's (the one {@link #NAMESPACE} keeps). */
  static List<Long> processesInside() {
    String namespace;
    try {
      namespace = "net:[" + Files.getAttribute(NAMESPACE, "unix:ino") + "]";
    } catch (IOException | UnsupportedOperationException e) {
      return List.of();
    }
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      return processes.filter(p -> p.getFileName().toString().matches("[0-9]+"))
          .filter(p -> namespace.equals(linkTarget(p.resolve("ns/net"))))
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String linkTarget(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException | UncheckedIOException e) {
      return ""; // the process is gone
    }
  }

  /**
   * From {@code ip -4 route show table all}, the routes into the ranges the link takes (its own subnet and
   * {@link #ROUTED}). Default routes do not count: the link's routes are more specific, as a cluster's always are.
   */
  static List<String> conflicts(String routes) {
    List<Cidr> ours = rangesOfTheLink().stream().map(Cidr::parse).toList();
    List<String> conflicts = new ArrayList<>();
    for (String line : routes.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
      String[] words = line.split("\\s+");
      int at = List.of("unicast", "local", "broadcast", "multicast", "unreachable", "blackhole", "prohibit", "throw",
          "nat", "anycast").contains(words[0]) ? 1 : 0;
      if (at >= words.length || words[at].equals("default")) {
        continue;
      }
      Cidr route = Cidr.parse(words[at].contains("/") ? words[at] : words[at] + "/32");
      if (ours.stream().anyMatch(range -> overlap(range, route))) {
        conflicts.add(line);
      }
    }
    return conflicts;
  }

  private static List<String> rangesOfTheLink() {
    return Stream.concat(Stream.of(LINK_SUBNET), ROUTED.stream()).toList();
  }

  /** Two ranges overlap when the wider one holds the other's first address. */
  private static boolean overlap(Cidr a, Cidr b) {
    return a.prefixLength() <= b.prefixLength() ? a.contains(b.network()) : b.contains(a.network());
  }
}
