package io.sei.p2p.config;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * What the controller's settings say about one node's pod and data, for its mode and chain.
 *
 * @param toolsImage   the project's own image, whose entry point prepares seid's files at every start
 * @param resources    the seid container's requests and limits
 * @param storageClass the data claim's class (null: the cluster's default)
 * @param storageSize  the data claim's size
 * @param genesis      where the chain's genesis comes from (null: none configured, the node waits)
 */
public record PodSettings(String toolsImage, ResourceRequirements resources, String storageClass,
    Quantity storageSize, GenesisSource genesis) {

  /** The same settings with {@code image} as the tools image. */
  public PodSettings withToolsImage(String image) {
    return new PodSettings(image, resources, storageClass, storageSize, genesis);
  }

  /** The ConfigMap the genesis comes from; null when it comes from a URL or from nowhere. */
  public String genesisConfigMap() {
    return genesis == null ? null : genesis.configMap();
  }

  /**
   * A chain's {@code genesis.json}: a key of a ConfigMap in the node's namespace, or a URL whose content must have
   * the given SHA-256. Exactly one of {@code configMap} and {@code url} is set.
   */
  public record GenesisSource(String configMap, String url, String sha256) {

    public static GenesisSource ofConfigMap(String name) {
      return new GenesisSource(name, null, null);
    }

    public static GenesisSource ofUrl(String url, String sha256) {
      return new GenesisSource(null, url, sha256);
    }
  }
}
