package io.sei.p2p.controller.podinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.electronwill.nightconfig.core.CommentedConfig;
import com.electronwill.nightconfig.toml.TomlParser;
import com.sun.net.httpserver.HttpServer;
import io.sei.p2p.resources.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeidHomeTest {

  /** The shape of a config.toml that seid init writes (abridged): comments, top-level keys, tables. */
  private static final String CONFIG_TOML = """
      # This is a TOML config file.
      proxy-app = "tcp://127.0.0.1:26658"
      moniker = "node-0"
      mode = "full"
      node-key-file = "config/node_key.json"

      #######################################################
      ###                 P2P Configuration               ###
      #######################################################
      [p2p]

      # Address to listen for incoming connections
      laddr = "tcp://127.0.0.1:26656"

      # Address to advertise to peers for them to dial
      external-address = ""

      # Comma separated list of nodes to keep persistent connections to
      persistent-peers = ""
      max-connections = 64
      pex = true
      flush-throttle-timeout = "100ms"
      recv-rate = 5120000

      [mempool]
      size = 5000

      [rpc]
      laddr = "tcp://127.0.0.1:26657"
      cors-allowed-origins = []
      """;

  @Test
  void theOverlaysValuesAreSetInSeidsSpellingAndEverythingElseIsKept() throws Exception {
    String overlay = NodeConfig.render("b.elb:26656", List.of("aa@x:26656"), Map.of("network.p2p.max_connections",
        "50", "logging.level", "info")).configToml();

    String merged = SeidHome.merge("config.toml", CONFIG_TOML, overlay);

    assertThat(merged).contains("# This is a TOML config file.", "# Address to listen for incoming connections",
        "###                 P2P Configuration               ###");
    CommentedConfig result = new TomlParser().parse(merged);
    assertThat(result.<String>get(List.of("p2p", "laddr"))).isEqualTo("tcp://0.0.0.0:26656");
    assertThat(result.<String>get(List.of("p2p", "external-address"))).isEqualTo("b.elb:26656");
    assertThat(result.<String>get(List.of("p2p", "persistent-peers"))).isEqualTo("aa@x:26656");
    assertThat(result.<Number>get(List.of("p2p", "max-connections")).longValue()).isEqualTo(50);
    assertThat(result.<String>get("log-level")).isEqualTo("info");
    // everything else as seid init wrote it
    assertThat(result.<String>get("proxy-app")).isEqualTo("tcp://127.0.0.1:26658");
    assertThat(result.<String>get("node-key-file")).isEqualTo("config/node_key.json");
    assertThat(result.<Boolean>get(List.of("p2p", "pex"))).isTrue();
    assertThat(result.<String>get(List.of("p2p", "flush-throttle-timeout"))).isEqualTo("100ms");
    assertThat(result.<Number>get(List.of("p2p", "recv-rate")).longValue()).isEqualTo(5120000);
    assertThat(result.<Number>get(List.of("mempool", "size")).longValue()).isEqualTo(5000);
    assertThat(result.<String>get(List.of("rpc", "laddr"))).isEqualTo("tcp://127.0.0.1:26657");
    assertThat(result.<List<?>>get(List.of("rpc", "cors-allowed-origins"))).isEmpty();
    // and in its order
    assertThat(merged.indexOf("proxy-app")).isLessThan(merged.indexOf("moniker"));
    assertThat(merged.indexOf("[p2p]")).isLessThan(merged.indexOf("[mempool]"));
    assertThat(merged.indexOf("[mempool]")).isLessThan(merged.indexOf("[rpc]"));
    assertThat(merged).doesNotContain("external_address", "persistent_peers", "max_connections");
  }

  @Test
  void mergingTwiceGivesTheSameFile() throws Exception {
    String overlay = NodeConfig.render("b.elb:26656", List.of("aa@x:26656"), Map.of()).configToml();

    String once = SeidHome.merge("config.toml", CONFIG_TOML, overlay);

    assertThat(SeidHome.merge("config.toml", once, overlay)).isEqualTo(once);
  }

  @Test
  void overridesReachAnyTableOfEitherFileIncludingNewOnes() throws Exception {
    NodeConfig.Rendered rendered = NodeConfig.render(null, List.of(), Map.of("giga_executor.enabled", "true",
        "chain.min_gas_prices", "0.02usei", "state_sync.enable", "true"));
    String app = """
        minimum-gas-prices = "0.01usei"

        [api]
        enable = false
        """;

    CommentedConfig mergedApp = new TomlParser().parse(SeidHome.merge("app.toml", app,
        rendered.files().get("app.toml")));
    CommentedConfig mergedConfig = new TomlParser().parse(SeidHome.merge("config.toml", CONFIG_TOML,
        rendered.configToml()));

    assertThat(mergedApp.<String>get("minimum-gas-prices")).isEqualTo("0.02usei");
    assertThat(mergedApp.<Boolean>get(List.of("giga_executor", "enabled"))).isTrue();
    assertThat(mergedApp.<Boolean>get(List.of("api", "enable"))).isFalse();
    assertThat(mergedConfig.<Boolean>get(List.of("statesync", "enable"))).isTrue();
  }

  @Test
  void hostileValuesStayValuesAndAddNoKey() throws Exception {
    String hostile = "a\"\n[rpc]\nladdr = \"tcp://0.0.0.0:1\\\u0000\u001b\u007f\t\r'''\"\"\"";
    String overlay = NodeConfig.render(hostile, List.of(hostile), Map.of()).configToml();

    CommentedConfig result = new TomlParser().parse(SeidHome.merge("config.toml", CONFIG_TOML, overlay));

    assertThat(result.<String>get(List.of("p2p", "external-address"))).isEqualTo(hostile);
    assertThat(result.<String>get(List.of("p2p", "persistent-peers"))).isEqualTo(hostile);
    assertThat(result.<String>get(List.of("rpc", "laddr"))).isEqualTo("tcp://127.0.0.1:26657");
    assertThat(result.valueMap().keySet()).containsExactlyInAnyOrder("proxy-app", "moniker", "mode",
        "node-key-file", "p2p", "mempool", "rpc");
  }

  @Test
  void aMalformedFileFailsWithItsNameAndWhatIsWrong() {
    assertThatThrownBy(() -> SeidHome.merge("/sei/config/config.toml", "[p2p]\nladdr = \"unterminated\n",
        "[p2p]\nladdr = \"x\"\n"))
        .isInstanceOf(SeidHome.Failure.class).hasMessageStartingWith("/sei/config/config.toml is not valid TOML: ");
    assertThatThrownBy(() -> SeidHome.merge("config.toml", "p2p = \"a value\"\n", "[p2p]\nladdr = \"x\"\n"))
        .isInstanceOf(SeidHome.Failure.class)
        .hasMessage("config.toml: p2p is a value, not a table; seid would not read the settings under it");
  }

  @Test
  void theHomesFilesAreMergedAndTheGenesisInstalledOnlyWhenAbsent(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("sei");
    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/config.toml"), CONFIG_TOML);
    Path overlays = Files.createDirectories(dir.resolve("overlays"));
    Files.writeString(overlays.resolve("config.toml"), "[p2p]\nexternal-address = \"b:26656\"\n");
    Files.writeString(overlays.resolve("app.toml"), "");
    Path genesis = Files.writeString(dir.resolve("genesis.json"), "{\"chain_id\":\"test-1\"}");

    assertThat(SeidHome.mergeAll(home, overlays)).containsExactly("config.toml");
    assertThat(Files.readString(home.resolve("config/config.toml"))).contains("external-address = \"b:26656\"");
    assertThat(Files.exists(home.resolve("config/app.toml"))).as("an empty overlay writes no file").isFalse();
    assertThat(SeidHome.installGenesis(home, genesis)).isTrue();
    assertThat(Files.readString(home.resolve("config/genesis.json"))).isEqualTo("{\"chain_id\":\"test-1\"}");
    Files.writeString(genesis, "{\"chain_id\":\"other\"}");
    assertThat(SeidHome.installGenesis(home, genesis)).as("a home's genesis is never replaced").isFalse();
    assertThat(Files.readString(home.resolve("config/genesis.json"))).isEqualTo("{\"chain_id\":\"test-1\"}");
    try (var files = Files.list(home.resolve("config"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.toml",
          "genesis.json");
    }
  }

  @Test
  void aHomeThatHoldsAnotherNodesKeyIsRefusedAndOneWithoutOrWithItsOwnIsNot(@TempDir Path dir) throws Exception {
    // IDs computed independently with Python's hashlib: sha256 of the public key, first 20 bytes
    String ours = key(0); // ID 630dcd2966c4336691125448bbb25b4ff412a49c
    String theirs = key(32); // ID 72dbb7336c76780023f83da4c355f2eeea85733b
    Path nodeKey = Files.writeString(dir.resolve("node_key.json"), ours);
    Path home = dir.resolve("sei");
    Path inHome = Files.createDirectories(home.resolve("config")).resolve("node_key.json");

    SeidHome.checkNodeKey(home, nodeKey); // no file: a home that never had a key
    Files.writeString(inHome, "");
    SeidHome.checkNodeKey(home, nodeKey); // the empty mount point the runtime made for the node's key
    Files.writeString(inHome, ours);
    SeidHome.checkNodeKey(home, nodeKey);
    Files.writeString(inHome, theirs);
    assertThatThrownBy(() -> SeidHome.checkNodeKey(home, nodeKey)).isInstanceOf(SeidHome.Failure.class)
        .hasMessage(inHome + " is the key of node 72dbb7336c76780023f83da4c355f2eeea85733b, not of this node "
            + "(630dcd2966c4336691125448bbb25b4ff412a49c): the home belongs to another node. Import a claim of this "
            + "node, or remove that file to give the home this node's identity");
    Files.writeString(inHome, "{\"not\": \"a key\"}");
    assertThatThrownBy(() -> SeidHome.checkNodeKey(home, nodeKey)).isInstanceOf(SeidHome.Failure.class)
        .hasMessageStartingWith(inHome + " is not a node key: ");
  }

  @Test
  void theEntryPointRefusesAnotherNodesHomeBeforeItWritesAnything(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("sei");
    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/config.toml"), CONFIG_TOML);
    Files.writeString(home.resolve("config/node_key.json"), key(32));
    Path overlays = Files.createDirectories(dir.resolve("overlays"));
    Files.writeString(overlays.resolve("config.toml"), "[p2p]\nexternal-address = \"b:26656\"\n");
    Path nodeKey = Files.writeString(dir.resolve("node_key.json"), key(0));
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

    int status = SeidHome.run(new String[] {"--home", home.toString(), "--overlays", overlays.toString(),
        "--node-key", nodeKey.toString()}, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("sei-p2p: cannot prepare seid's home " + home + ": ")
        .contains("is the key of node 72dbb7336c76780023f83da4c355f2eeea85733b");
    assertThat(Files.readString(home.resolve("config/config.toml"))).isEqualTo(CONFIG_TOML);
  }

  /** A node key whose public key is the bytes from {@code first} on. */
  private static String key(int first) {
    byte[] seed = new byte[32];
    byte[] pub = new byte[32];
    for (int i = 0; i < 32; i++) {
      pub[i] = (byte) (first + i);
    }
    return io.sei.p2p.peers.NodeId.nodeKeyJson(seed, pub);
  }

  @Test
  void aHomeThatSeidInitDidNotWriteIsAFailure(@TempDir Path dir) throws Exception {
    Path overlays = Files.createDirectories(dir.resolve("overlays"));
    Files.writeString(overlays.resolve("config.toml"), "[p2p]\nladdr = \"x\"\n");

    assertThatThrownBy(() -> SeidHome.mergeAll(dir.resolve("sei"), overlays)).isInstanceOf(SeidHome.Failure.class)
        .hasMessageContaining("config.toml does not exist: seid init did not write it");
  }

  @Test
  void aGenesisUrlIsInstalledOnlyWithTheConfiguredSha256(@TempDir Path dir) throws Exception {
    byte[] body = "{\"chain_id\":\"test-1\"}".getBytes(StandardCharsets.UTF_8);
    // sha256 of the body above, computed with sha256sum
    String sha256 = "1b01f3a8e3bb9353da6c011e2e5a8d1e125d51236c7efaeb86c884a258ba1b1c";
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/genesis.json", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/genesis.json");
      HttpClient http = HttpClient.newHttpClient();
      Path home = dir.resolve("sei");
      Files.createDirectories(home.resolve("config"));

      assertThatThrownBy(() -> SeidHome.downloadGenesis(home, url, "00".repeat(32), http))
          .isInstanceOf(SeidHome.Failure.class).hasMessageContaining("has SHA-256 " + sha256 + ", not 0000");
      assertThat(Files.exists(home.resolve("config/genesis.json"))).isFalse();
      assertThat(Files.exists(home.resolve("config/genesis.json.partial"))).isFalse();

      assertThat(SeidHome.downloadGenesis(home, url, sha256, http)).isTrue();
      assertThat(Files.readAllBytes(home.resolve("config/genesis.json"))).isEqualTo(body);
      assertThat(SeidHome.downloadGenesis(home, url, "00".repeat(32), http)).as("kept").isFalse();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aGenesisUrlThatFailsInstallsNothing(@TempDir Path dir) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    server.start();
    try {
      Path home = dir.resolve("sei");
      Files.createDirectories(home.resolve("config"));
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/missing.json");

      assertThatThrownBy(() -> SeidHome.downloadGenesis(home, url, "00".repeat(32), HttpClient.newHttpClient()))
          .isInstanceOf(SeidHome.Failure.class).hasMessageEndingWith("answered HTTP 404");
      try (var files = Files.list(home.resolve("config"))) {
        assertThat(files).isEmpty();
      }
    } finally {
      server.stop(0);
    }
  }
}
