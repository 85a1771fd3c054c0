package io.sei.p2p.rules;

import io.sei.p2p.model.WellKnown;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node's P2P settings as a CometBFT config.toml fragment, and the hash of what a running node only reads at
 * start-up and therefore needs a restart to pick up.
 */
public final class NodeConfig {

  public static final String FILE = "p2p.toml";
  static final String LADDR = "p2p.laddr";
  static final String EXTERNAL_ADDRESS = "p2p.external_address";
  static final String PERSISTENT_PEERS = "p2p.persistent_peers";

  private NodeConfig() {
  }

  /**
   * @param toml        the rendered fragment
   * @param restartHash the hash of the node's own address, listen address and overrides: a change of it rolls the
   *                    pod. The peer set is left out on purpose: a new peer reaches a running node from its side and
   *                    through PEX, and a CometBFT restart costs minutes.
   */
  public record Rendered(String toml, String restartHash) {
  }

  /** {@code overrides} for these keys (e.g. {@code p2p.external_address}) win over what is computed. */
  public static Rendered render(String externalAddress, List<String> persistentPeers, Map<String, String> overrides) {
    Map<String, String> wins = overrides == null ? Map.of() : overrides;
    String laddr = wins.getOrDefault(LADDR, "tcp://0.0.0.0:" + WellKnown.P2P_PORT);
    String external = wins.getOrDefault(EXTERNAL_ADDRESS, externalAddress == null ? "" : externalAddress);
    String toml = "[p2p]\n"
        + line("laddr", laddr)
        + line("external_address", external)
        + line("persistent_peers", wins.getOrDefault(PERSISTENT_PEERS, String.join(",", persistentPeers)));
    return new Rendered(toml, hash(line("laddr", laddr) + line("external_address", external)
        + new TreeMap<>(wins)));
  }

  private static String line(String key, String value) {
    return key + " = \"" + escape(value) + "\"\n";
  }

  /** A TOML basic string's content: quotes, backslashes and every control character escaped, so no value ends it. */
  static String escape(String value) {
    if (value.chars().noneMatch(c -> c == '"' || c == '\\' || c < 0x20 || c == 0x7f)) {
      return value; // the common case, and a node's config is rendered on every reconcile
    }
    StringBuilder escaped = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> escaped.append("\\\"");
        case '\\' -> escaped.append("\\\\");
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\t' -> escaped.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            escaped.append(String.format("\\u%04X", (int) c));
          } else {
            escaped.append(c);
          }
        }
      }
    }
    return escaped.toString();
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
