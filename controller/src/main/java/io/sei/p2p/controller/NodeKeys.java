package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.peers.NodeId;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.resources.SeidSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/** A fresh CometBFT ed25519 node key, and the node ID held in a node-key Secret. */
final class NodeKeys {

  private NodeKeys() {
  }

  /**
   * A new {@code <node>-node-key} Secret: immutable, created once, labelled for its node and owned by nobody, so it
   * outlives the node and a node of the same name takes it up again.
   */
  static Secret generate(SeiNode node) {
    KeyPair keys;
    try {
      keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate ed25519 keys", e);
    }
    // PKCS#8 and X.509 encodings of ed25519 keys end with the raw 32-byte seed and public key
    byte[] pkcs8 = keys.getPrivate().getEncoded();
    byte[] x509 = keys.getPublic().getEncoded();
    String json = NodeId.nodeKeyJson(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length),
        Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    return new SecretBuilder()
        .withNewMetadata().withName(NodeObjects.nodeKeySecretName(node))
          .withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, node.getMetadata().getName()).endMetadata()
        .withType("Opaque")
        .withImmutable(true)
        .addToData(SeidSettings.NODE_KEY_FILE,
            Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  /** The node ID in {@code secret}; IllegalArgumentException saying what is wrong. */
  static String nodeId(Secret secret) {
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    String encoded = data.get(SeidSettings.NODE_KEY_FILE);
    if (encoded == null) {
      throw new IllegalArgumentException("Secret " + secret.getMetadata().getName() + " has no "
          + SeidSettings.NODE_KEY_FILE + " key");
    }
    return NodeId.fromNodeKeyJson(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
  }
}
