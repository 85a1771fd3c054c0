package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.model.NodeModes.Mode;
import io.sei.p2p.model.SeiNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ControllerConfigTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @Test
  void eachChainTakesItsOwnGenesisSourceElseTheCatchAllElseNone() {
    String sha = "0123456789abcdef".repeat(4);
    ControllerConfig config = ControllerConfig.fromEnv(Map.of("SEI_GENESIS",
        "pacific-1=https://example.com/pacific-1/genesis.json#sha256=" + sha + ", *=configmap:test-genesis"));
    ControllerConfig without = ControllerConfig.fromEnv(Map.of());

    assertThat(config.podSettings(node("pacific-1", "fullNode")).genesis())
        .isEqualTo(PodSettings.GenesisSource.ofUrl("https://example.com/pacific-1/genesis.json", sha));
    assertThat(config.podSettings(node("atlantic-2", "fullNode")).genesis())
        .isEqualTo(PodSettings.GenesisSource.ofConfigMap("test-genesis"));
    assertThat(without.podSettings(node("pacific-1", "fullNode")).genesis()).isNull();
  }

  @Test
  void aGenesisSourceThatIsNotOneIsRefusedNamingTheSetting() {
    for (String bad : new String[] {"pacific-1", "pacific-1=configmap:Bad_Name", "=configmap:g",
        "pacific-1=https://example.com/g.json", "pacific-1=ftp://example.com/g.json#sha256=" + "0".repeat(64),
        "pacific-1=https://example.com/g.json#sha256=abc"}) {
      assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of("SEI_GENESIS", bad)))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("SEI_GENESIS takes ");
    }
  }

  @Test
  void eachModeHasDocumentedSizesThatASettingCanChangeInPart() {
    ControllerConfig config = ControllerConfig.fromEnv(Map.of("SEI_SIZE_ARCHIVE", "storage=80Ti",
        "SEI_STORAGE_CLASS", "gp3", "SEI_TOOLS_IMAGE", "registry.example/sei-p2p-controller@sha256:ab"));

    PodSettings full = config.podSettings(node("pacific-1", "fullNode"));
    PodSettings archive = config.podSettings(node("pacific-1", "archive"));

    assertThat(full.resources().getRequests()).containsEntry("cpu", new Quantity("8"))
        .containsEntry("memory", new Quantity("64Gi"));
    assertThat(full.resources().getLimits()).containsExactly(Map.entry("memory", new Quantity("64Gi")));
    assertThat(full.storageSize()).isEqualTo(new Quantity("2000Gi"));
    assertThat(archive.resources().getRequests()).containsEntry("cpu", new Quantity("16"));
    assertThat(archive.storageSize()).isEqualTo(new Quantity("80Ti"));
    assertThat(full.storageClass()).isEqualTo("gp3");
    assertThat(full.toolsImage()).isEqualTo("registry.example/sei-p2p-controller@sha256:ab");
    assertThat(ControllerConfig.fromEnv(Map.of()).podSettings(node("c", "validator")).toolsImage())
        .isEqualTo("sei-p2p-controller:0.1.0");
  }

  @Test
  void aSizeThatIsNotOneIsRefusedNamingTheSettingAndThePart() {
    assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of("SEI_SIZE_FULL_NODE", "memory=lots")))
        .hasMessage("SEI_SIZE_FULL_NODE: memory must be a positive quantity such as 8, 500m or 64Gi, not \"lots\"");
    assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of("SEI_SIZE_VALIDATOR", "disk=1Ti")))
        .hasMessageStartingWith("SEI_SIZE_VALIDATOR takes cpu=, memory= and storage=");
    assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of("SEI_SIZE_REPLAYER", "cpu=0")))
        .hasMessageContaining("cpu must be a positive quantity");
  }

  @Test
  void unsetSettingsTakeTheDefaultsTheReadmeDocuments() throws IOException {
    Map<String, String> documented = readmeDefaults();
    ControllerConfig config = ControllerConfig.fromEnv(Map.of());

    assertThat(documented.get("SEI_NLB_TARGET_TYPE")).isEqualTo("`" + config.targetType().annotationValue() + "`");
    assertThat(documented.get("SEI_WATCH_NAMESPACES")).isEqualTo("all");
    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(documented.get("SEI_PEER_SETTLE_SECONDS")).isEqualTo("" + config.peerSettle().toSeconds());
    assertThat(documented.get("SEI_PEER_UPDATE_SECONDS")).isEqualTo("" + config.peerUpdateSpacing().toSeconds());
    assertThat(documented.get("SEI_NOT_ROUTABLE_RECHECK_SECONDS"))
        .isEqualTo("" + config.notRoutableRecheck().toSeconds());
    assertThat(documented.get("SEI_EC2_REFRESH_SECONDS")).isEqualTo("" + config.ec2Refresh().toSeconds());
    assertThat(documented.get("SEI_EC2_ENDPOINT")).isEqualTo("the region's");
    assertThat(config.ec2Endpoint()).isNull();
    assertThat(documented.get("SEI_GENESIS")).isEqualTo("none");
    assertThat(config.genesis()).isEmpty();
    assertThat(documented.get("SEI_STORAGE_CLASS")).isEqualTo("the cluster's default");
    assertThat(config.storageClass()).isNull();
    assertThat(documented.get("SEI_TOOLS_IMAGE")).isEqualTo("`" + config.toolsImage() + "`");
    assertThat(documented.get("POD_NAMESPACE")).isEqualTo("`" + config.leaseNamespace() + "`");
    assertThat(documented.get("SEI_LEADER_ELECTION")).isEqualTo("`" + config.leaderElection() + "`");
    assertThat(documented.get("HEALTH_PORT")).isEqualTo("" + config.healthPort());
    assertThat(config.vpcCidr()).as(documented.get("SEI_VPC_CIDR")).isNull();
    String sizes = documented.get("SEI_SIZE_FULL_NODE");
    for (Mode mode : Mode.values()) {
      ControllerConfig.NodeSize size = config.sizes().get(mode);
      String expected = "cpu=" + size.resources().getRequests().get("cpu") + ",memory="
          + size.resources().getLimits().get("memory") + ",storage=" + size.storage();
      assertThat(sizes).as(mode.name()).contains(mode == Mode.ARCHIVE ? "(archive: `" + expected + "`)"
          : "`" + expected + "` (archive");
    }
  }

  @Test
  void aSettingThatIsNotOneIsRefusedNamingIt() {
    Map<String, String> bad = Map.of("SEI_NLB_TARGET_TYPE", "alb", "SEI_PEER_SETTLE_SECONDS", "-1",
        "SEI_PEER_UPDATE_SECONDS", "soon", "SEI_NOT_ROUTABLE_RECHECK_SECONDS", "3601", "HEALTH_PORT", "65536",
        "SEI_LEADER_ELECTION", "flase", "SEI_GENESIS", "pacific-1=s3://bucket/genesis.json",
        "SEI_VPC_CIDR", "10.0.0.0/99", "SEI_EC2_REFRESH_SECONDS", "4", "SEI_EC2_ENDPOINT", "ec2.internal:443");
    bad.forEach((variable, value) -> assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of(variable, value)))
        .as(variable).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(variable)
        .hasMessageContaining(value));
  }

  @Test
  void anInvalidConfigurationStopsTheProcessWithExitCode2AndSaysWhy() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ControllerMain.class.getName()).redirectErrorStream(true);
    builder.environment().put("HEALTH_PORT", "eighty");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isEqualTo(2);
    assertThat(output).contains("sei-p2p controller: invalid configuration: HEALTH_PORT must be a whole number "
        + "from 0 to 65535, not \"eighty\"");
  }

  /** The Default column of the README's configuration table, for each variable the controller reads. */
  private static Map<String, String> readmeDefaults() throws IOException {
    Map<String, String> defaults = new HashMap<>();
    for (String row : Files.readAllLines(Path.of("..", "README.md"))) {
      String[] cells = row.split("\\|");
      if (cells.length == 5 && List.of("controller", "both").contains(cells[2].trim())) {
        for (String variable : cells[1].split(",")) {
          defaults.put(variable.trim().replace("`", ""), cells[4].trim());
        }
      }
    }
    return defaults;
  }

  private static SeiNode node(String chain, String mode) {
    return JSON.unmarshal("""
        {"apiVersion":"sei.io/v1alpha1","kind":"SeiNode","metadata":{"name":"n","namespace":"ns"},
         "spec":{"chainId":"%s","image":"seid","%s":{}}}""".formatted(chain, mode), SeiNode.class);
  }
}
