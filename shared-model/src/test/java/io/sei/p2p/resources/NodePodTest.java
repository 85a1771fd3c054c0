package io.sei.p2p.resources;

import static io.sei.p2p.model.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.SeiNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's pod as seid needs it: its home on a claim, its files prepared, its key, its ports and probes. */
class NodePodTest {

  private static final NodeConfig.Rendered CONFIG = NodeConfig.render("b:26656", List.of(), Map.of());

  @Test
  void seidStartsOnItsDataClaimWithTheKeySecretAsItsNodeKeyFile() {
    StatefulSet statefulSet = NodeObjects.statefulSet(node("v", ",\"podLabels\":{\"team\":\"a\"},\"paused\":true"),
        CONFIG, Fixtures.POD_SETTINGS, 7);
    PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();

    assertThat(statefulSet.getMetadata().getAnnotations()).containsEntry("sei.io/peers-at-start", "7");
    assertThat(statefulSet.getSpec().getReplicas()).as("paused").isZero();
    assertThat(statefulSet.getSpec().getServiceName()).isEqualTo("v");
    assertThat(statefulSet.getSpec().getTemplate().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("team", "a", "sei.io/node", "v"));
    assertThat(statefulSet.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsExactly(Map.entry("sei.io/config-hash", CONFIG.restartHash()));
    Container seid = pod.getContainers().get(0);
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(seid.getName()).isEqualTo("seid");
    assertThat(seid.getImage()).isEqualTo("seid");
    assertThat(seid.getCommand()).containsExactly("seid", "start", "--home", "/sei");
    assertThat(mounts(seid)).containsExactly("data /sei rw", "node-key /sei/config/node_key.json ro node_key.json");
    assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("v-data");
    Volume key = volume(pod, "node-key");
    assertThat(key.getSecret().getSecretName()).isEqualTo("v-node-key");
    assertThat(key.getSecret().getDefaultMode()).isEqualTo(256); // 0400
    assertThat(key.getSecret().getItems()).singleElement()
        .satisfies(item -> assertThat(item.getKey() + ">" + item.getPath()).isEqualTo("node_key.json>node_key.json"));
    assertThat(seid.getPorts()).extracting(p -> p.getName() + " " + p.getContainerPort())
        .containsExactly("p2p 26656", "rpc 26657", "metrics 26660");
    assertThat(seid.getResources().getRequests()).containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("8Gi"));
    assertThat(seid.getResources().getLimits()).containsExactly(Map.entry("memory", new Quantity("8Gi")));
  }

  @Test
  void seidIsReadyOnlyOnceP2pListensAndHasHoursForItsFirstStart() {
    Container seid = NodeObjects.statefulSet(node("v", ""), CONFIG, Fixtures.POD_SETTINGS, 0)
        .getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(seid.getReadinessProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("p2p");
    assertThat(seid.getStartupProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("p2p");
    assertThat(seid.getStartupProbe().getPeriodSeconds() * seid.getStartupProbe().getFailureThreshold())
        .isEqualTo(2 * 3600);
    assertThat(seid.getLivenessProbe()).as("a syncing node is never restarted for being slow").isNull();
  }

  @Test
  void seidInitRunsOnceOnAnEmptyHomeAndThePreparationAtEveryStart() {
    PodSpec pod = NodeObjects.statefulSet(node("v", ""), CONFIG, Fixtures.POD_SETTINGS, 0)
        .getSpec().getTemplate().getSpec();

    assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("seid-init", "config");
    Container init = pod.getInitContainers().get(0);
    assertThat(init.getImage()).isEqualTo("seid");
    assertThat(init.getCommand()).hasSize(3).startsWith("/bin/sh", "-c");
    assertThat(init.getCommand().get(2))
        .startsWith("set -eu\n[ -f /sei/config/config.toml ] && exit 0\n")
        .contains("seid init \"$SEI_MONIKER\" --chain-id \"$SEI_CHAIN_ID\" --home /tmp/init\n")
        .endsWith("mv /sei/config/config.toml.new /sei/config/config.toml\n");
    assertThat(init.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly("SEI_MONIKER=v", "SEI_CHAIN_ID=pacific-1");
    assertThat(mounts(init)).containsExactly("data /sei rw", "tmp /tmp rw");

    Container prepare = pod.getInitContainers().get(1);
    assertThat(prepare.getImage()).isEqualTo("tools:1");
    assertThat(prepare.getCommand()).containsSubsequence("io.sei.p2p.controller.podinit.SeidHome", "--home", "/sei",
        "--overlays", "/etc/sei-p2p/config", "--node-key", "/etc/sei-p2p/node-key/node_key.json", "--genesis-file",
        "/etc/sei-p2p/genesis/genesis.json");
    assertThat(mounts(prepare)).containsExactly("data /sei rw", "config /etc/sei-p2p/config ro",
        "node-key /etc/sei-p2p/node-key ro", "tmp /tmp rw", "genesis /etc/sei-p2p/genesis ro");
    assertThat(volume(pod, "config").getConfigMap().getName()).isEqualTo("v-config");
    assertThat(volume(pod, "genesis").getConfigMap().getName()).isEqualTo("pacific-1-genesis");
  }

  @Test
  void aGenesisUrlIsFetchedAndCheckedByThePreparation() {
    PodSettings settings = new PodSettings("tools:1", Fixtures.POD_SETTINGS.resources(), null, new Quantity("1Gi"),
        PodSettings.GenesisSource.ofUrl("https://example.com/g.json", "ab".repeat(32)));

    PodSpec pod = NodeObjects.statefulSet(node("v", ""), CONFIG, settings, 0).getSpec().getTemplate().getSpec();

    assertThat(pod.getInitContainers().get(1).getCommand()).containsSubsequence("--genesis-url",
        "https://example.com/g.json", "--genesis-sha256", "ab".repeat(32));
    assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain("genesis");
  }

  @Test
  void theToolsImageIsReadBackFromAStatefulSetAndIsTheOnlyThingAnotherOneChanges() {
    StatefulSet first = NodeObjects.statefulSet(node("v", ""), CONFIG, Fixtures.POD_SETTINGS.withToolsImage("tools:1"),
        0);
    StatefulSet second = NodeObjects.statefulSet(node("v", ""), CONFIG,
        Fixtures.POD_SETTINGS.withToolsImage("tools:2"), 0);

    assertThat(NodeObjects.toolsImage(first)).contains("tools:1");
    assertThat(NodeObjects.toolsImage(second)).contains("tools:2");
    assertThat(NodeObjects.toolsImage(new StatefulSet())).isEmpty();
    second.getSpec().getTemplate().getSpec().getInitContainers().get(1).setImage("tools:1");
    assertThat(second).as("the same StatefulSet but for the tools image").isEqualTo(first);
  }

  @Test
  void thePodRunsAsSeidsUserWithNoTokenNoServiceLinksAndNoPrivileges() {
    PodSpec pod = NodeObjects.statefulSet(node("v", ""), CONFIG, Fixtures.POD_SETTINGS, 0)
        .getSpec().getTemplate().getSpec();

    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    List<Container> all = new java.util.ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    assertThat(all).hasSize(3).allSatisfy(container -> {
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    });
    assertThat(pod.getInitContainers()).allSatisfy(container ->
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue());
  }

  @Test
  void theDataClaimIsTheNodesOwnUnlessItImportsOne() {
    SeiNode plain = node("v", "");
    SeiNode importing = node("w", ",\"dataVolume\":{\"import\":{\"pvcName\":\"synced-home\"}}");

    PersistentVolumeClaim claim = NodeObjects.dataClaim(plain, Fixtures.POD_SETTINGS);

    assertThat(claim.getMetadata().getName()).isEqualTo("v-data");
    assertThat(claim.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(claim.getMetadata().getLabels()).containsExactly(Map.entry("sei.io/node", "v"));
    assertThat(claim.getMetadata().getOwnerReferences()).as("it outlives its node").isEmpty();
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getStorageClassName()).as("the cluster's default").isNull();
    assertThat(claim.getSpec().getResources().getRequests()).containsExactly(Map.entry("storage",
        new Quantity("100Gi")));
    assertThat(NodeObjects.managesDataClaim(plain)).isTrue();
    assertThat(NodeObjects.managesDataClaim(importing)).isFalse();
    assertThat(NodeObjects.dataClaimName(importing)).isEqualTo("synced-home");
    assertThat(volume(NodeObjects.statefulSet(importing, CONFIG, Fixtures.POD_SETTINGS, 0).getSpec().getTemplate()
        .getSpec(), "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("synced-home");
  }

  @Test
  void theConfigMapHoldsOneOverlayPerFileWithItsRestartHashAndWhenItWasWritten() {
    NodeConfig.Rendered config = NodeConfig.render("b:26656", List.of(), Map.of("giga_executor.enabled", "true"));

    ConfigMap configMap = NodeObjects.configMap(node("v", ""), config, Instant.parse("2026-01-02T03:04:05Z"));

    assertThat(configMap.getMetadata().getName()).isEqualTo("v-config");
    assertThat(configMap.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "sei.io/config-hash", config.restartHash(), "sei.io/config-written-at", "2026-01-02T03:04:05Z"));
    assertThat(configMap.getData()).containsOnlyKeys("config.toml", "app.toml")
        .containsEntry("app.toml", "[giga_executor]\nenabled = true\n");
  }

  private static List<String> mounts(Container container) {
    return container.getVolumeMounts().stream().map(NodePodTest::describe).toList();
  }

  private static String describe(VolumeMount mount) {
    return mount.getName() + " " + mount.getMountPath() + (Boolean.TRUE.equals(mount.getReadOnly()) ? " ro" : " rw")
        + (mount.getSubPath() == null ? "" : " " + mount.getSubPath());
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }
}
