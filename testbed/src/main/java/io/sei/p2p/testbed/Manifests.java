package io.sei.p2p.testbed;

/** Manifests as users write them (YAML for kubectl): what the end-to-end tests and the fleet benchmark apply. */
final class Manifests {

  /** The image Sei publishes seid in, as the examples and users' manifests name it. */
  static final String SEI_IMAGE = "ghcr.io/sei-protocol/seid:v6.1.0";

  private Manifests() {
  }

  /** A SeiNode without a node mode; {@code specTail} continues the spec at two-space indent. */
  static String seiNode(String name, String specTail) {
    return """
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata:
          name: %s
        spec:
          chainId: pacific-1
          image: %s
          %s
        """.formatted(name, SEI_IMAGE, specTail);
  }

  /** A full node; {@code specTail} continues the spec at two-space indent. */
  static String fullNode(String name, String specTail) {
    return seiNode(name, "fullNode: {}\n  " + specTail);
  }

  /**
   * A SeiNodeDeployment of full nodes. {@code labels} is a YAML flow map body ("" for none); {@code specExtra}
   * continues the spec, {@code templateSpecExtra} the template's spec.
   */
  static String deployment(String name, String labels, int replicas, String specExtra, String templateSpecExtra) {
    return deployment(name, labels, replicas, specExtra, SEI_IMAGE, templateSpecExtra);
  }

  /** The same, of nodes that run {@code image}. */
  static String deployment(String name, String labels, int replicas, String specExtra, String image,
      String templateSpecExtra) {
    return """
        apiVersion: sei.io/v1alpha1
        kind: SeiNodeDeployment
        metadata:
          name: %s
          labels: {%s}
        spec:
          replicas: %d
          %s
          template:
            spec:
              chainId: pacific-1
              image: %s
              fullNode: {}
              %s
        """.formatted(name, labels, replicas, specExtra, image, templateSpecExtra);
  }

  /** A StatefulSet labelled for {@code node}, as someone might create it by hand. */
  static String statefulSet(String node) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: %1$s, labels: {sei.io/node: %1$s}}
        spec:
          serviceName: %1$s
          replicas: 1
          selector: {matchLabels: {sei.io/node: %1$s}}
          template:
            metadata: {labels: {sei.io/node: %1$s}}
            spec: {containers: [{name: seid, image: %2$s}]}
        """.formatted(node, SEI_IMAGE);
  }
}
