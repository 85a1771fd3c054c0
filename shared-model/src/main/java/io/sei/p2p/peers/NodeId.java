package io.sei.p2p.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/** CometBFT node identity: {@code node_key.json} and the node ID derived from its ed25519 public key. */
public final class NodeId {

  public static final String KEY_TYPE = "tendermint/PrivKeyEd25519";
  private static final ObjectMapper JSON = new ObjectMapper();

  private NodeId() {
  }

  /** {@code node_key.json} for a 32-byte seed and its 32-byte public key. */
  public static String nodeKeyJson(byte[] seed, byte[] publicKey) {
    byte[] value = new byte[64];
    System.arraycopy(seed, 0, value, 0, 32);
    System.arraycopy(publicKey, 0, value, 32, 32);
    return JSON.createObjectNode().set("priv_key", JSON.createObjectNode()
        .put("type", KEY_TYPE).put("value", Base64.getEncoder().encodeToString(value))).toString();
  }

  /** The node ID (40 lowercase hex) of a {@code node_key.json}; IllegalArgumentException saying what is wrong. */
  public static String fromNodeKeyJson(String nodeKeyJson) {
    JsonNode key;
    try {
      key = JSON.readTree(nodeKeyJson).path("priv_key");
    } catch (IOException e) {
      throw new IllegalArgumentException("node_key.json is not JSON");
    }
    if (!KEY_TYPE.equals(key.path("type").asText())) {
      throw new IllegalArgumentException("node_key.json priv_key.type is not " + KEY_TYPE);
    }
    byte[] value;
    try {
      value = Base64.getDecoder().decode(key.path("value").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("node_key.json priv_key.value is not base64");
    }
    if (value.length != 64) {
      throw new IllegalArgumentException("node_key.json priv_key.value holds " + value.length + " bytes, not 64");
    }
    return fromPublicKey(Arrays.copyOfRange(value, 32, 64));
  }

  /** Lowercase hex of the first 20 bytes of SHA-256(public key). */
  public static String fromPublicKey(byte[] publicKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey);
      return HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
