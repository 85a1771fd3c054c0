package io.sei.p2p.resources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.model.DataVolumeSpec;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The objects every node has: headless Service, settings for seid's files, data claim, StatefulSet. */
public final class NodeObjects {

  /** The entry point of the project's image that prepares seid's files (the controller module's). */
  public static final String PREPARE_MAIN = "io.sei.p2p.controller.podinit.SeidHome";
  /** seid's user and group in Sei's images ({@code nonroot}); the data volume is given to its group. */
  static final long SEID_USER = 65532;
  static final String HOME_CONFIG = SeidSettings.HOME + "/config";
  static final String OVERLAYS_MOUNT = "/etc/sei-p2p/config";
  static final String GENESIS_MOUNT = "/etc/sei-p2p/genesis";
  /** Where the preparation reads the node's key, to refuse a home that holds another node's. */
  static final String KEY_MOUNT = "/etc/sei-p2p/node-key";
  /** The init container that prepares seid's home; its failure is the home's rejection. */
  public static final String PREPARE_CONTAINER = "config";
  /** The container that runs seid. */
  public static final String SEID_CONTAINER = "seid";
  static final String SCRATCH = "/tmp";
  static final String PREPARE_MEMORY = "128Mi";
  private static final String DATA_VOLUME = "data";
  private static final String CONFIG_VOLUME = "config";
  private static final String KEY_VOLUME = "node-key";
  private static final String GENESIS_VOLUME = "genesis";
  private static final String SCRATCH_VOLUME = "tmp";

  private NodeObjects() {
  }

  /** The Secret holding the node key: the one the validator names, else {@code <node>-node-key}. */
  public static String nodeKeySecretName(SeiNode node) {
    String named = node.getSpec().validator() == null ? null : node.getSpec().validator().nodeKeySecretName();
    return named != null ? named : WellKnown.managedNodeKeyName(node.getMetadata().getName());
  }

  /** The node's data claim: the one it imports, else {@code <node>-data}. */
  public static String dataClaimName(SeiNode node) {
    DataVolumeSpec data = node.getSpec().dataVolume();
    return data != null && data.importFrom() != null ? data.importFrom().pvcName()
        : WellKnown.managedDataClaimName(node.getMetadata().getName());
  }

  /** Whether the controller creates the node's data claim (it does unless the node imports one). */
  public static boolean managesDataClaim(SeiNode node) {
    DataVolumeSpec data = node.getSpec().dataVolume();
    return data == null || data.importFrom() == null;
  }

  public static boolean managesNodeKey(SeiNode node) {
    return node.getSpec().validator() == null || node.getSpec().validator().nodeKeySecretName() == null;
  }

  /** So that in-cluster peers resolve {@code <node>-0.<node>.<ns>.svc.cluster.local}. */
  public static Service headlessService(SeiNode node) {
    String name = node.getMetadata().getName();
    return new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name).endMetadata()
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(true) // peers must find a node before it is ready
          .addToSelector(WellKnown.LABEL_NODE, name)
          .addNewPort().withName("p2p").withProtocol("TCP").withPort(WellKnown.P2P_PORT)
            .withNewTargetPort(WellKnown.P2P_PORT).endPort()
          .addNewPort().withName("rpc").withProtocol("TCP").withPort(WellKnown.RPC_PORT)
            .withNewTargetPort(WellKnown.RPC_PORT).endPort()
        .endSpec()
        .build();
  }

  /** The node's settings for seid's files (one key per file), written at {@code writtenAt}, with its restart hash. */
  public static ConfigMap configMap(SeiNode node, NodeConfig.Rendered config, Instant writtenAt) {
    String name = node.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata().withName(WellKnown.configMapName(name)).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name)
          .addToAnnotations(WellKnown.ANNOTATION_CONFIG_HASH, config.restartHash())
          .addToAnnotations(WellKnown.ANNOTATION_CONFIG_WRITTEN_AT, writtenAt.toString())
        .endMetadata()
        .withData(config.files())
        .build();
  }

  /**
   * The node's data claim: created by the controller unless the node imports one, and owned by nobody, so that chain
   * data (days to sync) outlives the node and a node of the same name takes it up again.
   */
  public static PersistentVolumeClaim dataClaim(SeiNode node, PodSettings settings) {
    String name = node.getMetadata().getName();
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(dataClaimName(node)).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name).endMetadata()
        .withNewSpec()
          .withAccessModes("ReadWriteOnce")
          .withStorageClassName(settings.storageClass())
          .withNewResources().addToRequests("storage", settings.storageSize()).endResources()
        .endSpec()
        .build();
  }

  /** The tools image {@code statefulSet}'s pods prepare seid's files with; empty when it has no such container. */
  public static Optional<String> toolsImage(StatefulSet statefulSet) {
    return Optional.ofNullable(statefulSet.getSpec()).map(StatefulSetSpec::getTemplate).map(PodTemplateSpec::getSpec)
        .map(PodSpec::getInitContainers).orElse(List.of()).stream()
        .filter(container -> PREPARE_CONTAINER.equals(container.getName())).map(Container::getImage).findFirst();
  }

  /**
   * One replica (none when paused) running {@code seid start} on the node's data claim as seid's home, after two init
   * containers: {@code seid-init} (the node's image) runs {@code seid init} once, on an empty home; {@code config}
   * (the project's image) merges the ConfigMap's settings into seid's files in seid's spelling and installs the
   * chain's genesis when absent, at every start. The key Secret is seid's {@code node_key.json}, read-only. The
   * restart hash on the pod template rolls the pod when something seid reads only at start-up changes, and nothing
   * else does. The pod gets no API token and no privileges.
   *
   * @param peersAtStart how many peers the config held when the pod was last (re)started
   */
  public static StatefulSet statefulSet(SeiNode node, NodeConfig.Rendered config, PodSettings settings,
      int peersAtStart) {
    String name = node.getMetadata().getName();
    Map<String, String> podLabels = new LinkedHashMap<>();
    if (node.getSpec().podLabels() != null) {
      podLabels.putAll(node.getSpec().podLabels());
    }
    podLabels.put(WellKnown.LABEL_NODE, name);
    return new StatefulSetBuilder()
        .withNewMetadata().withName(name).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name)
          .addToAnnotations(WellKnown.ANNOTATION_PEERS_AT_START, Integer.toString(peersAtStart))
        .endMetadata()
        .withNewSpec()
          .withReplicas(node.getSpec().pausedOrDefault() ? 0 : 1)
          .withServiceName(name)
          .withNewSelector().addToMatchLabels(WellKnown.LABEL_NODE, name).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels)
              .addToAnnotations(WellKnown.ANNOTATION_CONFIG_HASH, config.restartHash()).endMetadata()
            .withNewSpec()
              .withAutomountServiceAccountToken(false)
              .withEnableServiceLinks(false)
              .withNewSecurityContext()
                .withRunAsNonRoot(true).withRunAsUser(SEID_USER).withRunAsGroup(SEID_USER).withFsGroup(SEID_USER)
                .withFsGroupChangePolicy("OnRootMismatch") // a chain's data is too large to walk at every start
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
              .endSecurityContext()
              .withInitContainers(seidInit(node, settings), prepare(settings))
              .withContainers(seid(node, settings))
              .withVolumes(volumes(node, settings))
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /** {@code seid init} on an empty home only: a config.toml means the home was initialised (or imported). */
  private static Container seidInit(SeiNode node, PodSettings settings) {
    // seid init writes into a scratch home; its files are copied in with config.toml last, so that a crash leaves a
    // home that is initialised again. Its genesis and node key are dropped: the chain's genesis and the key Secret
    // are the node's. Files already in the home are kept.
    String script = """
        set -eu
        [ -f %1$s/config/config.toml ] && exit 0
        rm -rf %2$s/init
        seid init "$SEI_MONIKER" --chain-id "$SEI_CHAIN_ID" --home %2$s/init
        mkdir -p %1$s/config %1$s/data
        for f in %2$s/init/data/* %2$s/init/config/*; do
          [ -e "$f" ] || continue
          case "${f#%2$s/init/}" in
            config/config.toml|config/genesis.json|config/node_key.json) ;;
            *) [ -e "%1$s/${f#%2$s/init/}" ] || cp -a "$f" "%1$s/${f#%2$s/init/}" ;;
          esac
        done
        cp %2$s/init/config/config.toml %1$s/config/config.toml.new
        mv %1$s/config/config.toml.new %1$s/config/config.toml
        """.formatted(SeidSettings.HOME, SCRATCH);
    return new ContainerBuilder()
        .withName("seid-init")
        .withImage(node.getSpec().image())
        .withCommand("/bin/sh", "-c", script)
        .addNewEnv().withName("SEI_MONIKER").withValue(node.getMetadata().getName()).endEnv()
        .addNewEnv().withName("SEI_CHAIN_ID").withValue(node.getSpec().chainId()).endEnv()
        .withResources(settings.resources())
        .withSecurityContext(restricted(true))
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(SeidSettings.HOME).endVolumeMount()
        .addNewVolumeMount().withName(SCRATCH_VOLUME).withMountPath(SCRATCH).endVolumeMount()
        .build();
  }

  /**
   * The project's entry point: a home that holds another node's key refused, the ConfigMap's settings merged into
   * seid's files, the genesis installed.
   */
  private static Container prepare(PodSettings settings) {
    List<String> command = new ArrayList<>(List.of("/opt/java/bin/java", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xmx64m", "-cp", "/app/controller.jar:/app/lib/*",
        PREPARE_MAIN, "--home", SeidSettings.HOME, "--overlays", OVERLAYS_MOUNT,
        "--node-key", KEY_MOUNT + "/" + SeidSettings.NODE_KEY_FILE));
    PodSettings.GenesisSource genesis = settings.genesis();
    if (settings.genesisConfigMap() != null) {
      command.addAll(List.of("--genesis-file", GENESIS_MOUNT + "/" + SeidSettings.GENESIS_FILE));
    } else if (genesis != null) {
      command.addAll(List.of("--genesis-url", genesis.url(), "--genesis-sha256", genesis.sha256()));
    }
    ContainerBuilder container = new ContainerBuilder()
        .withName(PREPARE_CONTAINER)
        .withImage(settings.toolsImage())
        .withCommand(command)
        .withNewResources()
          .addToRequests("cpu", new Quantity("50m")).addToRequests("memory", new Quantity(PREPARE_MEMORY))
          .addToLimits("memory", new Quantity(PREPARE_MEMORY))
        .endResources()
        .withSecurityContext(restricted(true))
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(SeidSettings.HOME).endVolumeMount()
        .addNewVolumeMount().withName(CONFIG_VOLUME).withMountPath(OVERLAYS_MOUNT).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName(KEY_VOLUME).withMountPath(KEY_MOUNT).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName(SCRATCH_VOLUME).withMountPath(SCRATCH).endVolumeMount();
    if (settings.genesisConfigMap() != null) {
      container.addNewVolumeMount().withName(GENESIS_VOLUME).withMountPath(GENESIS_MOUNT).withReadOnly(true)
          .endVolumeMount();
    }
    return container.build();
  }

  private static Container seid(SeiNode node, PodSettings settings) {
    return new ContainerBuilder()
        .withName(SEID_CONTAINER)
        .withImage(node.getSpec().image())
        .withCommand("seid", "start", "--home", SeidSettings.HOME)
        .withResources(settings.resources())
        // the image decides what else it writes; seid writes its own state under its home
        .withSecurityContext(restricted(false))
        .addNewPort().withName("p2p").withContainerPort(WellKnown.P2P_PORT).withProtocol("TCP").endPort()
        .addNewPort().withName("rpc").withContainerPort(WellKnown.RPC_PORT).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withContainerPort(WellKnown.METRICS_PORT).withProtocol("TCP").endPort()
        // a first start can replay or restore for a long time: up to two hours before the kubelet gives up
        .withNewStartupProbe().withNewTcpSocket().withNewPort("p2p").endTcpSocket()
          .withPeriodSeconds(10).withFailureThreshold(720).endStartupProbe()
        // Ready only while P2P listens: the NLB's targets and peers' dials need it
        .withNewReadinessProbe().withNewTcpSocket().withNewPort("p2p").endTcpSocket()
          .withPeriodSeconds(10).endReadinessProbe()
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(SeidSettings.HOME).endVolumeMount()
        .addNewVolumeMount().withName(KEY_VOLUME).withMountPath(HOME_CONFIG + "/" + SeidSettings.NODE_KEY_FILE)
          .withSubPath(SeidSettings.NODE_KEY_FILE).withReadOnly(true).endVolumeMount()
        .build();
  }

  private static SecurityContext restricted(boolean readOnlyRoot) {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(readOnlyRoot ? true : null)
        .withNewCapabilities().addToDrop("ALL").endCapabilities()
        .build();
  }

  private static List<Volume> volumes(SeiNode node, PodSettings settings) {
    List<Volume> volumes = new ArrayList<>(List.of(
        new VolumeBuilder().withName(DATA_VOLUME).withNewPersistentVolumeClaim().withClaimName(dataClaimName(node))
            .endPersistentVolumeClaim().build(),
        new VolumeBuilder().withName(CONFIG_VOLUME).withNewConfigMap()
            .withName(WellKnown.configMapName(node.getMetadata().getName())).endConfigMap().build(),
        new VolumeBuilder().withName(KEY_VOLUME).withNewSecret().withSecretName(nodeKeySecretName(node))
            .withDefaultMode(0400).addNewItem().withKey(SeidSettings.NODE_KEY_FILE).withPath(SeidSettings.NODE_KEY_FILE)
            .endItem()
            .endSecret().build(),
        new VolumeBuilder().withName(SCRATCH_VOLUME).withNewEmptyDir().endEmptyDir().build()));
    if (settings.genesisConfigMap() != null) {
      volumes.add(new VolumeBuilder().withName(GENESIS_VOLUME).withNewConfigMap().withName(settings.genesisConfigMap())
          .addNewItem().withKey(SeidSettings.GENESIS_FILE).withPath(SeidSettings.GENESIS_FILE).endItem()
          .endConfigMap().build());
    }
    return volumes;
  }
}
