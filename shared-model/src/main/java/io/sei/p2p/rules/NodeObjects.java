package io.sei.p2p.rules;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import java.util.LinkedHashMap;
import java.util.Map;

/** The objects every node has: headless Service, P2P config, node key reference, StatefulSet. */
public final class NodeObjects {

  public static final String CONFIG_HASH = "sei.io/config-hash";
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

  public static ConfigMap configMap(SeiNode node, NodeConfig.Rendered config) {
    String name = node.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata().withName(configMapName(name)).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name).endMetadata()
        .addToData(NodeConfig.FILE, config.toml())
        .build();
  }

  /** One replica (none when paused); the config hash on the pod template rolls the pod when the config changes. */
  public static StatefulSet statefulSet(SeiNode node, NodeConfig.Rendered config) {
    String name = node.getMetadata().getName();
    Map<String, String> podLabels = new LinkedHashMap<>();
    if (node.getSpec().podLabels() != null) {
      podLabels.putAll(node.getSpec().podLabels());
    }
    podLabels.put(WellKnown.LABEL_NODE, name);
    return new StatefulSetBuilder()
        .withNewMetadata().withName(name).withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name).endMetadata()
        .withNewSpec()
          .withReplicas(node.getSpec().pausedOrDefault() ? 0 : 1)
          .withServiceName(name)
          .withNewSelector().addToMatchLabels(WellKnown.LABEL_NODE, name).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels).addToAnnotations(CONFIG_HASH, config.hash()).endMetadata()
            .withNewSpec()
              .addNewContainer()
                .withName("seid")
                .withImage(node.getSpec().image())
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
