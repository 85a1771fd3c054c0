package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.rules.PodSettings;
import java.util.Map;
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

  private static SeiNode node(String chain, String mode) {
    return JSON.unmarshal("""
        {"apiVersion":"sei.io/v1alpha1","kind":"SeiNode","metadata":{"name":"n","namespace":"ns"},
         "spec":{"chainId":"%s","image":"seid","%s":{}}}""".formatted(chain, mode), SeiNode.class);
  }
}
