package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sei.p2p.controller.podinit.SeidHome;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.resources.SeidSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real P2P node of seid's config lineage (Tendermint v0.35.9, through the {@code seid} stand-in script), run on
 * its own loopback address from a node's StatefulSet as the controller wrote it: the {@code seid-init} container's
 * script, then the {@code config} container's preparation (the project's entry point, with the container's
 * arguments), then the {@code seid} container's command, each with the pod's paths mapped onto a folder of the node's
 * and the ConfigMaps and key Secret that the pod mounts written there. Nothing in between touches seid's files. It
 * resolves names through {@code hosts} only: it runs in its own mount namespace with that file over
 * {@code /etc/hosts} and an nsswitch.conf that names no DNS, so no lookup ever leaves the machine.
 */
final class TendermintNode implements AutoCloseable {

  /** The pod's mount points, as NodeObjects lays them out. */
  private static final String POD_HOME = SeidSettings.HOME;
  private static final String POD_OVERLAYS = "/etc/sei-p2p/config";
  private static final String POD_GENESIS = "/etc/sei-p2p/genesis";
  private static final String POD_KEY = "/etc/sei-p2p/node-key";
  private static final String POD_SCRATCH = "/tmp";
  private static final Pattern CONNECTION = Pattern.compile("starting service impl=MConn\\{(.+?):\\d+}");

  private final String name;
  private final String rpc;
  private final LocalProcess process;

  private TendermintNode(String name, String rpc, LocalProcess process) {
    this.name = name;
    this.rpc = rpc;
    this.process = process;
  }

  /** What every node of one mesh shares: the binaries, a hosts file and a resolver configuration. */
  record Network(Path tendermint, Path seid, Path dir, Path hosts, Path nsswitch) {

    static Network create(Path tendermint, Path dir) {
      try {
        Path seid = RepoRoot.find().resolve("testbed/kube/tendermint/seid");
        Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"), "hosts: files\n");
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
        return new Network(tendermint, seid, dir, hosts, nsswitch);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String genesis() {
      return SeidStandIn.genesis(tendermint, dir.resolve("genesis-home"));
    }

    /** Rewrites the hosts file in place: each node's namespace has this very file (its inode) over /etc/hosts. */
    void hosts(Map<String, String> nameToIp) {
      StringBuilder lines = new StringBuilder("127.0.0.1 localhost\n");
      nameToIp.forEach((host, address) -> lines.append(address).append(' ').append(host).append('\n'));
      try {
        Files.writeString(hosts, lines.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Runs the pod of {@code statefulSet} as {@code name}: its volumes are {@code config} (the node's ConfigMap),
   * {@code genesis} (the chain's genesis ConfigMap) and {@code nodeKeyJson} (the key Secret's file), its home a
   * folder that persists across starts as the data claim does; {@code rpcAddress} is where its RPC listens, as its
   * overrides say.
   */
  static TendermintNode start(Network network, String name, StatefulSet statefulSet, ConfigMap config,
      ConfigMap genesis, String nodeKeyJson, String rpcAddress) {
    try {
      Path root = Files.createDirectories(network.dir().resolve(name));
      Path home = Files.createDirectories(root.resolve("home"));
      Path scratch = Files.createDirectories(root.resolve("tmp"));
      Path overlays = write(root.resolve("overlays"), config.getData());
      Path genesisDir = write(root.resolve("genesis"), genesis.getData());
      Path keyDir = write(root.resolve("node-key"), Map.of(SeidSettings.NODE_KEY_FILE, nodeKeyJson));
      Map<String, String> paths = new LinkedHashMap<>();
      paths.put(POD_OVERLAYS, overlays.toString());
      paths.put(POD_GENESIS, genesisDir.toString());
      paths.put(POD_KEY, keyDir.toString());
      paths.put(POD_HOME, home.toString());
      paths.put(POD_SCRATCH, scratch.toString());
      PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();

      Container init = container(pod.getInitContainers(), "seid-init");
      Map<String, String> env = new LinkedHashMap<>();
      init.getEnv().forEach((EnvVar variable) -> env.put(variable.getName(), variable.getValue()));
      env.put("PATH", network.seid().getParent() + ":" + System.getenv("PATH"));
      env.put("TENDERMINT", network.tendermint().toString());
      SeidStandIn.run(mapped(init.getCommand(), paths), env);

      List<String> prepare = container(pod.getInitContainers(), "config").getCommand();
      String[] args = mapped(prepare.subList(prepare.indexOf(NodeObjects.PREPARE_MAIN) + 1, prepare.size()), paths)
          .toArray(String[]::new);
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8);
      if (SeidHome.run(args, printer, printer) != 0) {
        throw new IllegalStateException(name + "'s config container failed: " + output);
      }

      // the key Secret's subPath mount over the file seid reads its identity from
      Files.writeString(home.resolve("config").resolve(SeidSettings.NODE_KEY_FILE), nodeKeyJson);
      List<String> seid = mapped(container(pod.getContainers(), NodeObjects.SEID_CONTAINER).getCommand(), paths);
      String script = "mount --bind " + network.hosts() + " /etc/hosts && mount --bind " + network.nsswitch()
          + " /etc/nsswitch.conf && PATH=" + network.seid().getParent() + ":$PATH TENDERMINT=" + network.tendermint()
          + " exec " + String.join(" ", seid);
      LocalProcess process = LocalProcess.start("tendermint " + name, List.of("unshare", "--mount", "sh", "-c",
          script), network.dir().resolve(name + ".log"));
      return new TendermintNode(name, rpcAddress, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The pod's paths in {@code command} replaced by the node's folders, in one pass (a folder of the node's may itself
   * start with one of the pod's paths); a path ends at a slash, a space, a quote or the end.
   */
  private static List<String> mapped(List<String> command, Map<String, String> paths) {
    Pattern podPath = Pattern.compile(paths.keySet().stream().map(Pattern::quote)
        .collect(Collectors.joining("|", "(", ")(?=[/\\s\"]|$)")));
    return command.stream().map(part -> podPath.matcher(part)
        .replaceAll(match -> Matcher.quoteReplacement(paths.get(match.group(1))))).toList();
  }

  private static Container container(List<Container> containers, String name) {
    return containers.stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the pod has no container " + name));
  }

  private static Path write(Path dir, Map<String, String> files) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), file.getValue());
    }
    return dir;
  }

  String name() {
    return name;
  }

  LocalProcess process() {
    return process;
  }

  /** The IDs of the peers it is connected to now. */
  Set<String> peers() {
    return StandInReadings.connectedPeers(log());
  }

  /** The hosts its peer connections were made with: the address a peer came from, or the name it dialed. */
  Set<String> remoteHosts() {
    Set<String> hosts = new TreeSet<>();
    Matcher connection = CONNECTION.matcher(log());
    while (connection.find()) {
      hosts.add(connection.group(1));
    }
    return hosts;
  }

  /** The peers in its {@code /net_info}: those it knows an address of, by node ID, with that address. */
  Map<String, String> knownPeers() {
    return StandInReadings.knownPeers(rpc("net_info"));
  }

  private String log() {
    try {
      return process.log();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Its own node ID, as Tendermint computed it from the key file. */
  String id() {
    return rpc("status").at("/node_info/id").asText();
  }

  /** The address it announces to peers. */
  String listenAddress() {
    return rpc("status").at("/node_info/listen_addr").asText();
  }

  /** Whether its RPC answers (false while starting, or after it exited). */
  boolean answers() {
    try {
      rpc("health");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private JsonNode rpc(String method) {
    return StandInReadings.rpc(rpc, method);
  }

  @Override
  public void close() {
    process.close();
  }
}
