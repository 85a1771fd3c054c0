package io.sei.p2p.resources;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where seid reads a setting, in its own spelling: the file under {@code <home>/config}, the TOML table and the key
 * ({@code [p2p] external-address}, never {@code external_address}, which seid's loader drops silently). Override keys
 * are upstream's unified key space (sei-config's, e.g. {@code network.p2p.max_connections}); the table that places
 * them, {@code seid-settings.tsv}, follows sei-config's own mapping onto the legacy files.
 */
public final class SeidSettings {

  /** seid's home in the node's pod: its data volume. */
  public static final String HOME = "/sei";
  public static final String CONFIG_TOML = "config.toml";
  public static final String APP_TOML = "app.toml";
  public static final String NODE_KEY_FILE = "node_key.json";
  public static final String GENESIS_FILE = "genesis.json";

  /** Override keys whose values the controller computes for every node; an override of one wins. */
  public static final String LISTEN_ADDRESS = "network.p2p.listen_address";
  public static final String EXTERNAL_ADDRESS = "network.p2p.external_address";
  public static final String PERSISTENT_PEERS = "network.p2p.persistent_peers";
  /** Not an override key: the node's identity is the controller's Secret, mounted at this path under the home. */
  static final Placement NODE_KEY_PLACEMENT = new Placement(CONFIG_TOML, List.of(), "node-key-file", Type.STRING);

  // Go's time.ParseDuration and TOML's float, without Java's NaN, Infinity, hex and type suffixes
  private static final Pattern DURATION = Pattern.compile(
      "0|[-+]?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+");
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  // after the patterns, which loading uses
  private static final Map<String, List<Placement>> KEYS = load();

  private SeidSettings() {
  }

  /** How a setting's value is written (its Go type in seid's config structs, folded). */
  public enum Type {
    STRING, BOOL, INT64, UINT64, UINT32, UINT16, INT32, FLOAT, DURATION, STRING_LIST,
    /** config.toml's {@code mode}: Tendermint knows no archive mode, an archive node runs as a full node. */
    TENDERMINT_MODE
  }

  /**
   * @param file  {@link #CONFIG_TOML} or {@link #APP_TOML}
   * @param table the TOML table's path ({@code [p2p]}: {@code ["p2p"]}; empty for the top level)
   * @param key   the key in that file's own spelling
   */
  public record Placement(String file, List<String> table, String key, Type type) {
    public Placement {
      table = List.copyOf(table);
    }

    @Override
    public String toString() {
      return file + " " + (table.isEmpty() ? "" : "[" + String.join(".", table) + "] ") + key;
    }
  }

  /** A value ready to write, or why it cannot be: exactly one of the two is set. */
  public record Value(Object value, String problem) {
  }

  /**
   * Where seid reads {@code unifiedKey}: one place, or two for the few keys sei-config writes to both files (e.g.
   * {@code mode}); empty when it is no setting of a file seid reads.
   */
  public static List<Placement> placements(String unifiedKey) {
    return KEYS.getOrDefault(unifiedKey, List.of());
  }

  /**
   * {@code text} as the TOML value of {@code type}: a String, Boolean, Long, Double or List of strings
   * (comma-separated in the override).
   */
  public static Value parse(Type type, String text) {
    String trimmed = text.trim();
    return switch (type) {
      case STRING -> new Value(text, null);
      case BOOL -> bool(trimmed.toLowerCase(Locale.ROOT));
      case INT64 -> whole(trimmed, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
      case INT32 -> whole(trimmed, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE));
      // TOML's integers are 64-bit signed: a uint64 beyond that has no TOML form
      case UINT64 -> whole(trimmed, BigInteger.ZERO, BigInteger.valueOf(Long.MAX_VALUE));
      case UINT32 -> whole(trimmed, BigInteger.ZERO, BigInteger.valueOf(0xffffffffL));
      case UINT16 -> whole(trimmed, BigInteger.ZERO, BigInteger.valueOf(0xffff));
      case FLOAT -> decimal(trimmed);
      case DURATION -> DURATION.matcher(trimmed).matches() ? new Value(trimmed, null)
          : new Value(null, "is not a duration such as 500ms, 10s or 1h30m");
      case STRING_LIST -> list(trimmed);
      case TENDERMINT_MODE -> new Value("archive".equals(text) ? "full" : text, null);
    };
  }

  /** As sei-config reads a bool. */
  private static Value bool(String text) {
    return switch (text) {
      case "true", "1", "yes" -> new Value(true, null);
      case "false", "0", "no" -> new Value(false, null);
      default -> new Value(null, "is not true or false");
    };
  }

  /** Comma-separated, as sei-config reads a list: each item trimmed, none empty. */
  private static Value list(String text) {
    if (text.isEmpty()) {
      return new Value(List.of(), null);
    }
    List<String> items = Arrays.stream(text.split(",", -1)).map(String::trim).toList();
    return items.contains("") ? new Value(null, "has an empty item between its commas")
        : new Value(items, null);
  }

  private static Value whole(String text, BigInteger min, BigInteger max) {
    try {
      BigInteger number = new BigInteger(text);
      if (number.compareTo(min) >= 0 && number.compareTo(max) <= 0) {
        return new Value(number.longValue(), null);
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    boolean int64 = min.equals(BigInteger.valueOf(Long.MIN_VALUE)) && max.equals(BigInteger.valueOf(Long.MAX_VALUE));
    return new Value(null, "is not a whole number" + (int64 ? "" : " from " + min + " to " + max));
  }

  private static Value decimal(String text) {
    if (DECIMAL.matcher(text).matches()) {
      double number = Double.parseDouble(text);
      if (Double.isFinite(number)) {
        return new Value(number, null);
      }
    }
    return new Value(null, "is not a decimal number");
  }

  private static Map<String, List<Placement>> load() {
    Map<String, List<Placement>> keys = new HashMap<>();
    try (InputStream in = SeidSettings.class.getResourceAsStream("seid-settings.tsv")) {
      if (in == null) {
        throw new IllegalStateException("seid-settings.tsv is missing from the classpath");
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] columns = line.split("\t", -1);
        if (columns.length != 5) {
          throw new IllegalStateException("seid-settings.tsv: not 5 columns: " + line);
        }
        List<String> table = columns[2].isEmpty() ? List.of() : List.of(columns[2].split("\\."));
        // the overlays are rendered with these names as bare TOML keys
        if (!List.of(CONFIG_TOML, APP_TOML).contains(columns[1]) || !BARE_KEY.matcher(columns[3]).matches()
            || !table.stream().allMatch(name -> BARE_KEY.matcher(name).matches())) {
          throw new IllegalStateException("seid-settings.tsv: not a file and bare TOML keys: " + line);
        }
        keys.computeIfAbsent(columns[0], key -> new ArrayList<>())
            .add(new Placement(columns[1], table, columns[3], Type.valueOf(columns[4])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    keys.replaceAll((key, placements) -> List.copyOf(placements));
    return Map.copyOf(keys);
  }
}
