package io.sei.p2p.rules;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The objects every node has: headless Service, P2P config, node key reference, StatefulSet. */
public final class NodeObjects {

  public static final String NODE_KEY_FILE = "node_key.json";
  static final String CONFIG_MOUNT = "/sei/config/p2p";
  static final String NODE_KEY_MOUNT = "/sei/config/node-key";

  private NodeObjects() {
  }

  public static String configMapName(String node) {
    return node + "-config";
  }

  /** The Secret holding the node key: the one the validator names, else {@code <node>-node-key}. */
  public static String nodeKeySecretName(SeiNode node) {
    String named = node.getSpec().validator() == null ? null : node.getSpec().validator().nodeKeySecretName();
    return named != null ? named : node.getMetadata().getName() + "-node-key";
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

  /** The node's P2P config, written at {@code writtenAt}, with the restart hash it carries. */
  public static ConfigMap configMap(SeiNode node, NodeConfig.Rendered config, Instant writtenAt) {
    String name = node.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata().withName(configMapName(name)).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name)
          .addToAnnotations(WellKnown.ANNOTATION_CONFIG_HASH, config.restartHash())
          .addToAnnotations(WellKnown.ANNOTATION_CONFIG_WRITTEN_AT, writtenAt.toString())
        .endMetadata()
        .addToData(NodeConfig.FILE, config.toml())
        .build();
  }

  /**
   * One replica (none when paused). The restart hash on the pod template rolls the pod when something it reads only
   * at start-up changes, and nothing else does. The pod gets no API token and no privileges.
   *
   * @param peersAtStart how many peers the config held when the pod was last (re)started
   */
  public static StatefulSet statefulSet(SeiNode node, NodeConfig.Rendered config, int peersAtStart) {
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
                .withRunAsNonRoot(true)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
              .endSecurityContext()
              .addNewContainer()
                .withName("seid")
                .withImage(node.getSpec().image())
                .withNewSecurityContext()
                  .withAllowPrivilegeEscalation(false)
                  .withNewCapabilities().addToDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewPort().withName("p2p").withContainerPort(WellKnown.P2P_PORT).withProtocol("TCP").endPort()
                .addNewPort().withName("rpc").withContainerPort(WellKnown.RPC_PORT).withProtocol("TCP").endPort()
                .addNewVolumeMount().withName("p2p-config").withMountPath(CONFIG_MOUNT).withReadOnly(true)
                  .endVolumeMount()
                .addNewVolumeMount().withName("node-key").withMountPath(NODE_KEY_MOUNT).withReadOnly(true)
                  .endVolumeMount()
              .endContainer()
              .addNewVolume().withName("p2p-config").withNewConfigMap().withName(configMapName(name)).endConfigMap()
                .endVolume()
              .addNewVolume().withName("node-key").withNewSecret().withSecretName(nodeKeySecretName(node))
                .endSecret().endVolume()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }
}
