package io.sei.p2p.rules;

import io.sei.p2p.model.WellKnown;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The node's P2P settings as a CometBFT config.toml fragment, and its hash (which rolls the pod on change). */
public final class NodeConfig {

  public static final String FILE = "p2p.toml";
  static final String LADDR = "p2p.laddr";
  static final String EXTERNAL_ADDRESS = "p2p.external_address";
  static final String PERSISTENT_PEERS = "p2p.persistent_peers";

  private NodeConfig() {
  }

  public record Rendered(String toml, String hash) {
  }

  /** {@code overrides} for these keys (e.g. {@code p2p.external_address}) win over what is computed. */
  public static Rendered render(String externalAddress, List<String> persistentPeers, Map<String, String> overrides) {
    Map<String, String> wins = overrides == null ? Map.of() : overrides;
    String toml = "[p2p]\n"
        + line("laddr", wins.getOrDefault(LADDR, "tcp://0.0.0.0:" + WellKnown.P2P_PORT))
        + line("external_address", wins.getOrDefault(EXTERNAL_ADDRESS, externalAddress == null ? "" : externalAddress))
        + line("persistent_peers", wins.getOrDefault(PERSISTENT_PEERS, String.join(",", persistentPeers)));
    return new Rendered(toml, hash(toml));
  }

  private static String line(String key, String value) {
    return key + " = \"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
