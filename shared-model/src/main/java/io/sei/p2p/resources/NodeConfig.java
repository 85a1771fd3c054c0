package io.sei.p2p.resources;

import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.SeidSettings.Placement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's settings as overlays onto seid's own files, in seid's spelling (the ConfigMap holds one TOML document per
 * file, and the pod merges each into its file at every start), and the hash of what a running node only reads at
 * start-up and therefore needs a restart to pick up.
 */
public final class NodeConfig {

  private static final Comparator<List<String>> TABLE_ORDER = Comparator.comparing(table -> String.join(".", table));

  private NodeConfig() {
  }

  /**
   * @param files       each file's overlay ({@link SeidSettings#CONFIG_TOML} always, {@link SeidSettings#APP_TOML}
   *                    when an override belongs there)
   * @param restartHash the hash of everything but the computed peer set: a change of it rolls the pod. The peer set
   *                    is left out on purpose: a new peer reaches a running node from its side and through PEX, and a
   *                    restart costs minutes.
   * @param unplaced    one line per override that is not written, saying why (an unknown key, a value of the wrong
   *                    type)
   */
  public record Rendered(Map<String, String> files, String restartHash, List<String> unplaced) {
    public Rendered {
      files = Map.copyOf(files);
      unplaced = List.copyOf(unplaced);
    }

    /** The overlay of seid's {@code config.toml}. */
    public String configToml() {
      return files.get(SeidSettings.CONFIG_TOML);
    }
  }

  /** Overrides in upstream's key space (e.g. {@code network.p2p.external_address}) win over what is computed. */
  public static Rendered render(String externalAddress, List<String> persistentPeers, Map<String, String> overrides) {
    Map<String, String> wins = overrides == null ? Map.of() : overrides;
    Map<Placement, Object> settings = new LinkedHashMap<>();
    settings.put(SeidSettings.NODE_KEY_PLACEMENT, "config/" + SeidSettings.NODE_KEY_FILE);
    put(settings, SeidSettings.LISTEN_ADDRESS, "tcp://0.0.0.0:" + WellKnown.P2P_PORT);
    put(settings, SeidSettings.EXTERNAL_ADDRESS, externalAddress == null ? "" : externalAddress);
    List<String> unplaced = new ArrayList<>();
    new TreeMap<>(wins).forEach((key, text) -> {
      String problem = problem(key, text);
      if (problem != null) {
        unplaced.add(key + ": " + problem);
      } else {
        SeidSettings.placements(key).forEach(at -> settings.put(at, SeidSettings.parse(at.type(), text).value()));
      }
    });
    Map<Placement, Object> startUp = new LinkedHashMap<>(settings);
    if (!wins.containsKey(SeidSettings.PERSISTENT_PEERS)) {
      put(settings, SeidSettings.PERSISTENT_PEERS, String.join(",", persistentPeers));
    }
    return new Rendered(files(settings), ShortHash.of(files(startUp).toString()), unplaced);
  }

  /** Why {@code key = text} cannot be written to seid's files; null when it can. */
  public static String problem(String key, String text) {
    List<Placement> placements = SeidSettings.placements(key);
    if (placements.isEmpty()) {
      return "unknown key (keys are upstream's, e.g. network.p2p.pex)";
    }
    for (Placement at : placements) {
      String problem = SeidSettings.parse(at.type(), text).problem();
      if (problem != null) {
        return "\"" + text + "\" " + problem;
      }
    }
    return null;
  }

  private static void put(Map<Placement, Object> settings, String key, Object value) {
    SeidSettings.placements(key).forEach(at -> settings.put(at, value));
  }

  /** One TOML document per file: top-level keys first, then each table, each sorted by name. */
  private static Map<String, String> files(Map<Placement, Object> settings) {
    Map<String, Map<List<String>, Map<String, Object>>> byFile = new TreeMap<>();
    byFile.put(SeidSettings.CONFIG_TOML, new TreeMap<>(TABLE_ORDER));
    settings.forEach((at, value) -> byFile.computeIfAbsent(at.file(), file -> new TreeMap<>(TABLE_ORDER))
        .computeIfAbsent(at.table(), table -> new TreeMap<>()).put(at.key(), value));
    Map<String, String> files = new TreeMap<>();
    byFile.forEach((file, tables) -> {
      StringBuilder toml = new StringBuilder();
      tables.forEach((table, values) -> {
        if (!table.isEmpty()) {
          toml.append(toml.isEmpty() ? "" : "\n").append('[').append(String.join(".", table)).append("]\n");
        }
        values.forEach((key, value) -> toml.append(key).append(" = ").append(tomlValue(value)).append('\n'));
      });
      files.put(file, toml.toString());
    });
    return files;
  }

  private static String tomlValue(Object value) {
    if (value instanceof String text) {
      return "\"" + escape(text) + "\"";
    }
    if (value instanceof List<?> list) {
      List<String> items = list.stream().map(NodeConfig::tomlValue).toList();
      return "[" + String.join(", ", items) + "]";
    }
    if (value instanceof Boolean || value instanceof Long || value instanceof Double) {
      return value.toString();
    }
    throw new IllegalArgumentException("no TOML form for " + value.getClass());
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
}
