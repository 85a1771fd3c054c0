package io.sei.p2p.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.validation.NodeValidation;
import io.sei.p2p.validation.Validation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's settings in seid's own files and spelling; every expected text here is written out by hand. */
class NodeConfigTest {

  @Test
  void theComputedSettingsUseSeidsHyphenatedSpellingAndNoUnderscoreKey() {
    NodeConfig.Rendered rendered = NodeConfig.render("b.elb:26656", List.of("aa@x:26656", "bb@y:26656"), Map.of());

    assertThat(rendered.files()).containsOnlyKeys("config.toml");
    assertThat(rendered.configToml()).isEqualTo("""
        node-key-file = "config/node_key.json"

        [p2p]
        external-address = "b.elb:26656"
        laddr = "tcp://0.0.0.0:26656"
        persistent-peers = "aa@x:26656,bb@y:26656"
        """);
    assertThat(rendered.unplaced()).isEmpty();
  }

  @Test
  void overridesInUpstreamsKeySpaceLandInTheirFileInThatFilesSpelling() {
    NodeConfig.Rendered rendered = NodeConfig.render("b.elb:26656", List.of(), Map.of(
        "network.p2p.max_connections", "50",
        "network.p2p.pex", "false",
        "logging.level", "info",
        "mempool.size", "5000",
        "network.rpc.cors_allowed_origins", "https://a.example, https://b.example",
        "giga_executor.enabled", "true",
        "chain.min_gas_prices", "0.01usei"));

    assertThat(rendered.configToml()).isEqualTo("""
        log-level = "info"
        node-key-file = "config/node_key.json"

        [mempool]
        size = 5000

        [p2p]
        external-address = "b.elb:26656"
        laddr = "tcp://0.0.0.0:26656"
        max-connections = 50
        persistent-peers = ""
        pex = false

        [rpc]
        cors-allowed-origins = ["https://a.example", "https://b.example"]
        """);
    assertThat(rendered.files().get("app.toml")).isEqualTo("""
        minimum-gas-prices = "0.01usei"

        [giga_executor]
        enabled = true
        """);
    assertThat(rendered.unplaced()).isEmpty();
  }

  @Test
  void anOverrideOfAComputedSettingWins() {
    NodeConfig.Rendered rendered = NodeConfig.render("b.elb:26656", List.of("aa@x:26656"), Map.of(
        "network.p2p.external_address", "my.dns.example.com:26656",
        "network.p2p.persistent_peers", "cc@z:26656",
        "network.p2p.listen_address", "tcp://0.0.0.0:1"));

    assertThat(rendered.configToml()).contains("""
        external-address = "my.dns.example.com:26656"
        laddr = "tcp://0.0.0.0:1"
        persistent-peers = "cc@z:26656"
        """);
  }

  @Test
  void anOverrideThatCannotBePlacedIsListedAndNeverWritten() {
    NodeConfig.Rendered rendered = NodeConfig.render("b.elb:26656", List.of(), Map.of(
        "p2p.external_address", "spoof:26656",
        "network.p2p.max_connections", "70000",
        "network.p2p.pex", "maybe",
        "network.p2p.dial_interval", "10",
        "chain.chain_id", "other-1",
        "metrics.global_labels", "a,b"));

    assertThat(rendered.unplaced()).containsExactly(
        "chain.chain_id: unknown key (keys are upstream's, e.g. network.p2p.pex)",
        "metrics.global_labels: unknown key (keys are upstream's, e.g. network.p2p.pex)",
        "network.p2p.dial_interval: \"10\" is not a duration such as 500ms, 10s or 1h30m",
        "network.p2p.max_connections: \"70000\" is not a whole number from 0 to 65535",
        "network.p2p.pex: \"maybe\" is not true or false",
        "p2p.external_address: unknown key (keys are upstream's, e.g. network.p2p.pex)");
    assertThat(rendered.configToml()).doesNotContain("spoof", "70000", "maybe", "dial-interval", "other-1")
        .contains("external-address = \"b.elb:26656\"");
  }

  @Test
  void keysSeiConfigWritesToBothFilesLandInBoth() {
    NodeConfig.Rendered rendered = NodeConfig.render(null, List.of(), Map.of("metrics.enabled", "yes",
        "mode", "archive"));

    assertThat(rendered.configToml()).contains("mode = \"full\"", "[instrumentation]\nprometheus = true\n");
    assertThat(rendered.files().get("app.toml")).contains("[sei]\nmode = \"archive\"\n",
        "[telemetry]\nenabled = true\n");
  }

  @Test
  void noConfigFileSeidReadsEverGetsAnUnderscoreP2pKey() {
    Map<String, String> everyP2pKey = new java.util.TreeMap<>();
    for (String key : List.of("allow_duplicate_ip", "blocksync_peers", "bootstrap_peers", "external_address",
        "persistent_peers", "private_peer_ids", "unconditional_peer_ids", "queue_type")) {
      everyP2pKey.put("network.p2p." + key, "x");
    }
    everyP2pKey.put("network.p2p.allow_duplicate_ip", "true");

    String config = NodeConfig.render("b:26656", List.of("p@q:1"), everyP2pKey).configToml();

    assertThat(config.lines().filter(line -> line.contains("=")).map(line -> line.substring(0, line.indexOf('='))))
        .allSatisfy(key -> assertThat(key).doesNotContain("_").isNotBlank());
  }

  @Test
  void onlyWhatANodeReadsAtStartUpChangesTheRestartHash() {
    String hash = NodeConfig.render("b.elb:26656", List.of("aa@x:26656"), Map.of()).restartHash();

    assertThat(hash).hasSize(16);
    assertThat(NodeConfig.render("b.elb:26656", List.of("aa@x:26656", "bb@y:26656"), null).restartHash())
        .as("a new peer reaches a running node without a restart").isEqualTo(hash);
    assertThat(NodeConfig.render("c.elb:26656", List.of("aa@x:26656"), Map.of()).restartHash())
        .as("its own address").isNotEqualTo(hash);
    assertThat(NodeConfig.render(null, List.of("aa@x:26656"), Map.of()).restartHash())
        .as("opting out").isNotEqualTo(hash);
    assertThat(NodeConfig.render("b.elb:26656", List.of("aa@x:26656"),
        Map.of("network.p2p.listen_address", "tcp://0.0.0.0:1")).restartHash())
        .as("its listen address").isNotEqualTo(hash);
    assertThat(NodeConfig.render("b.elb:26656", List.of("aa@x:26656"), Map.of("network.p2p.pex", "false"))
        .restartHash()).as("any override").isNotEqualTo(hash);
    assertThat(NodeConfig.render("b.elb:26656", List.of("aa@x:26656"),
        Map.of("network.p2p.persistent_peers", "aa@x:26656")).restartHash())
        .as("peers the user pinned").isNotEqualTo(hash);
    assertThat(NodeConfig.render("b.elb:26656", List.of("aa@x:26656"), Map.of("no.such.key", "1")).restartHash())
        .as("an override that is not written changes no file, so it restarts nothing").isEqualTo(hash);
  }

  @Test
  void noRenderedValueCanEndItsStringOrAddKeys() {
    String hostile = "a\"\n[rpc]\nladdr = \"tcp://0.0.0.0:1\\\u0000\u001b\u007f\t\r";

    NodeConfig.Rendered rendered = NodeConfig.render(hostile, List.of(hostile),
        Map.of("network.p2p.listen_address", hostile, "network.rpc.cors_allowed_origins", hostile + "," + hostile));

    assertThat(rendered.configToml().lines()).containsExactly(
        "node-key-file = \"config/node_key.json\"",
        "",
        "[p2p]",
        "external-address = \"a\\\"\\n[rpc]\\nladdr = \\\"tcp://0.0.0.0:1\\\\\\u0000\\u001B\\u007F\\t\\r\"",
        "laddr = \"a\\\"\\n[rpc]\\nladdr = \\\"tcp://0.0.0.0:1\\\\\\u0000\\u001B\\u007F\\t\\r\"",
        "persistent-peers = \"a\\\"\\n[rpc]\\nladdr = \\\"tcp://0.0.0.0:1\\\\\\u0000\\u001B\\u007F\\t\\r\"",
        "",
        "[rpc]",
        // the list's items are trimmed, as sei-config trims them
        "cors-allowed-origins = [\"a\\\"\\n[rpc]\\nladdr = \\\"tcp://0.0.0.0:1\\\\\\u0000\\u001B\\u007F\", "
            + "\"a\\\"\\n[rpc]\\nladdr = \\\"tcp://0.0.0.0:1\\\\\\u0000\\u001B\\u007F\"]");
  }

  @Test
  void theWebhookWarnsOfEachOverrideThatIsNotWrittenAndAcceptsTheNode() {
    SeiNode node = Fixtures.node("n", ",\"overrides\":{\"p2p.pex\":\"false\",\"network.p2p.pex\":\"false\","
        + "\"mempool.size\":\"big\"}");

    Validation result = NodeValidation.validate(node, null, Fixtures.ROUTABLE);

    assertThat(result.allowed()).isTrue();
    assertThat(result.warnings()).containsExactly(
        "spec.overrides[mempool.size] is not written: \"big\" is not a whole number",
        "spec.overrides[p2p.pex] is not written: unknown key (keys are upstream's, e.g. network.p2p.pex)");
  }
}
