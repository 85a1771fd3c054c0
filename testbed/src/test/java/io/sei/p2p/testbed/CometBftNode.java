package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real CometBFT node (kvstore app) on its own loopback address, started with a node's key and P2P settings exactly as
 * the controller wrote them. It resolves names through {@code hosts} only: it runs in its own mount namespace with that
 * file over {@code /etc/hosts} and an nsswitch.conf that names no DNS, so no lookup ever leaves the machine and the
 * machine's own files are never touched.
 */
final class CometBftNode implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern KEY_LINE = Pattern.compile("^\\s*([A-Za-z0-9_.-]+)\\s*=\\s*(.*)$");
  private static final Pattern SECTION_LINE = Pattern.compile("^\\s*\\[\\s*([A-Za-z0-9_.-]+)\\s*]\\s*$");

  private final String name;
  private final String ip;
  private final LocalProcess process;

  private CometBftNode(String name, String ip, LocalProcess process) {
    this.name = name;
    this.ip = ip;
    this.process = process;
  }

  /** The files every node of one mesh shares: one genesis, one hosts file, a resolver configuration. */
  record Network(Path binary, Path dir, Path genesis, Path hosts, Path nsswitch) {

    static Network create(Path binary, Path dir) {
      try {
        Path first = dir.resolve("genesis-home");
        run(binary, "init", "--home", first.toString());
        Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"), "hosts: files\n");
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
        return new Network(binary, dir, first.resolve("config/genesis.json"), hosts, nsswitch);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
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
   * Starts {@code name} on {@code ip} with {@code nodeKeyJson} (the key Secret's {@code node_key.json}) and
   * {@code p2pToml} (the ConfigMap's {@code p2p.toml}), merged over a fresh {@code cometbft init}. On top come only the
   * settings that many nodes on one machine need: listening on its own loopback address rather than 0.0.0.0,
   * {@code addr_book_strict = false} (loopback addresses are not routable) and {@code allow_duplicate_ip = true} (every
   * connection arrives from 127.0.0.1).
   */
  static CometBftNode start(Network network, String name, String ip, String nodeKeyJson, String p2pToml) {
    try {
      Path home = network.dir().resolve(name);
      if (!Files.exists(home.resolve("config/config.toml"))) {
        run(network.binary(), "init", "--home", home.toString());
      }
      Files.copy(network.genesis(), home.resolve("config/genesis.json"), StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(home.resolve("config/node_key.json"), nodeKeyJson);
      Map<String, Map<String, String>> settings = settings(p2pToml);
      settings.computeIfAbsent("p2p", s -> new LinkedHashMap<>()).putAll(Map.of(
          "laddr", quoted("tcp://" + ip + ":26656"), "addr_book_strict", "false", "allow_duplicate_ip", "true"));
      settings.computeIfAbsent("rpc", s -> new LinkedHashMap<>()).put("laddr", quoted("tcp://" + ip + ":26657"));
      Path config = home.resolve("config/config.toml");
      Files.writeString(config, merged(Files.readString(config), settings));
      String script = "mount --bind " + network.hosts() + " /etc/hosts && mount --bind " + network.nsswitch()
          + " /etc/nsswitch.conf && exec " + network.binary() + " start --home " + home + " --proxy_app=kvstore";
      LocalProcess process = LocalProcess.start("cometbft " + name, List.of("unshare", "--mount", "sh", "-c", script),
          network.dir().resolve(name + ".log"));
      return new CometBftNode(name, ip, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code [section] key = value} settings of a TOML fragment, values as written. */
  static Map<String, Map<String, String>> settings(String toml) {
    Map<String, Map<String, String>> sections = new HashMap<>();
    String section = "";
    for (String line : toml.split("\n")) {
      Matcher header = SECTION_LINE.matcher(line);
      Matcher pair = KEY_LINE.matcher(line);
      if (header.matches()) {
        section = header.group(1);
      } else if (pair.matches()) {
        sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(pair.group(1), pair.group(2).trim());
      }
    }
    return sections;
  }

  /** {@code config} with each of {@code settings}' keys replaced in its section; every key must already be there. */
  static String merged(String config, Map<String, Map<String, String>> settings) {
    List<String> out = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    String section = "";
    for (String line : config.split("\n", -1)) {
      Matcher header = SECTION_LINE.matcher(line);
      Matcher pair = KEY_LINE.matcher(line);
      if (header.matches()) {
        section = header.group(1);
      } else if (pair.matches() && settings.getOrDefault(section, Map.of()).containsKey(pair.group(1))) {
        out.add(pair.group(1) + " = " + settings.get(section).get(pair.group(1)));
        replaced.add(section + "." + pair.group(1));
        continue;
      }
      out.add(line);
    }
    settings.forEach((part, pairs) -> pairs.keySet().forEach(key -> {
      if (!replaced.contains(part + "." + key)) {
        throw new IllegalStateException("config.toml has no " + key + " in [" + part + "]");
      }
    }));
    return String.join("\n", out);
  }

  String name() {
    return name;
  }

  LocalProcess process() {
    return process;
  }

  /** The IDs of the peers it is connected to, each with the listen address the peer announced. */
  Map<String, String> peers() {
    Map<String, String> peers = new LinkedHashMap<>();
    rpc("net_info").path("peers").forEach(peer -> peers.put(peer.at("/node_info/id").asText(),
        peer.at("/node_info/listen_addr").asText()));
    return peers;
  }

  /** The addresses its peer connections come from or go to. */
  Set<String> remoteIps() {
    Set<String> ips = new TreeSet<>();
    rpc("net_info").path("peers").forEach(peer -> ips.add(peer.path("remote_ip").asText()));
    return ips;
  }

  /** Its own node ID, as CometBFT computed it from the key file. */
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
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":26657/" + method))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body()).path("result");
    } catch (IOException e) {
      throw new IllegalStateException(name + "'s RPC did not answer " + method + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String quoted(String value) {
    return "\"" + value + "\"";
  }

  private static void run(Path binary, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    try {
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
