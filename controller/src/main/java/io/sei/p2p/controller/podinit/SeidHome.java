package io.sei.p2p.controller.podinit;

import com.electronwill.nightconfig.core.CommentedConfig;
import com.electronwill.nightconfig.core.UnmodifiableConfig;
import com.electronwill.nightconfig.core.io.ParsingException;
import com.electronwill.nightconfig.core.io.ParsingMode;
import com.electronwill.nightconfig.toml.TomlFormat;
import com.electronwill.nightconfig.toml.TomlParser;
import com.electronwill.nightconfig.toml.TomlWriter;
import io.sei.p2p.peers.NodeId;
import io.sei.p2p.resources.SeidSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node pod's preparation of seid's home, at every start, from the project's image: a home that holds another
 * node's key is refused; each overlay of the node's
 * ConfigMap ({@code config.toml}, {@code app.toml}, in seid's spelling) merged into the file of that name under
 * {@code <home>/config}, and the chain's genesis installed when the home has none. A merge parses both documents,
 * sets the overlay's values and writes the file back: comments, order and every other value are kept, and merging
 * twice gives the same file. Malformed input fails the pod's start with a message naming the file and the line.
 */
public final class SeidHome {

  /** A genesis larger than this is refused rather than filling the volume. */
  static final long MAX_GENESIS_BYTES = 1L << 30;

  private SeidHome() {
  }

  /** A problem the pod reports as its init container's failure: one line, no stack trace. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }

    Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** {@code target} with every value of {@code overlay} set, everything else as it was. */
  static String merge(String fileName, String target, String overlay) throws Failure {
    CommentedConfig merged = parse(fileName, target);
    CommentedConfig settings = parse(fileName + " overlay", overlay);
    set(fileName, merged, settings, new ArrayList<>());
    TomlWriter writer = TomlFormat.instance().createWriter();
    writer.setIndent("");
    writer.setWriteStringMultilinePredicate(text -> false);
    return writer.writeToString(merged);
  }

  private static void set(String fileName, CommentedConfig target, UnmodifiableConfig overlay, List<String> table)
      throws Failure {
    for (UnmodifiableConfig.Entry entry : overlay.entrySet()) {
      List<String> path = new ArrayList<>(table);
      path.add(entry.getKey());
      Object value = entry.getValue();
      Object existing = target.valueMap().get(entry.getKey());
      if (value instanceof UnmodifiableConfig subtable) {
        if (existing != null && !(existing instanceof CommentedConfig)) {
          throw new Failure(fileName + ": " + String.join(".", path) + " is a value, not a table; seid would not "
              + "read the settings under it");
        }
        CommentedConfig into = existing == null ? target.createSubConfig() : (CommentedConfig) existing;
        set(fileName, into, subtable, path);
        target.valueMap().put(entry.getKey(), into);
      } else {
        if (existing instanceof UnmodifiableConfig) {
          throw new Failure(fileName + ": " + String.join(".", path) + " is a table, not a value");
        }
        target.valueMap().put(entry.getKey(), value);
      }
    }
  }

  private static CommentedConfig parse(String name, String toml) throws Failure {
    CommentedConfig config = TomlFormat.newConfig(LinkedHashMap::new);
    try {
      new TomlParser().parse(new StringReader(toml), config, ParsingMode.REPLACE);
    } catch (ParsingException e) {
      throw new Failure(name + " is not valid TOML: " + e.getMessage(), e);
    }
    return config;
  }

  /** Each overlay in {@code overlays} merged into its file under {@code <home>/config}, written atomically. */
  static List<String> mergeAll(Path home, Path overlays) throws Failure, IOException {
    List<String> done = new ArrayList<>();
    for (String fileName : List.of(SeidSettings.CONFIG_TOML, SeidSettings.APP_TOML)) {
      Path overlay = overlays.resolve(fileName);
      if (!Files.exists(overlay) || Files.readString(overlay).isBlank()) {
        continue;
      }
      Path target = home.resolve("config").resolve(fileName);
      if (!Files.exists(target)) {
        throw new Failure(target + " does not exist: seid init did not write it, so this home was not initialised "
            + "(or was imported without it)");
      }
      replace(target, merge(target.toString(), Files.readString(target), Files.readString(overlay)));
      done.add(fileName);
    }
    return done;
  }

  /**
   * Refuses a home that holds another node's key: seid would run with the node's own key (mounted over the file), so
   * a home imported from another node would change identity without a word. An empty file is the mount point the
   * runtime made for the node's key, and no file is a home that never had one.
   */
  static void checkNodeKey(Path home, Path nodeKey) throws Failure, IOException {
    Path inHome = home.resolve("config").resolve(SeidSettings.NODE_KEY_FILE);
    if (!Files.isRegularFile(inHome) || Files.size(inHome) == 0) {
      return;
    }
    String ours = nodeId(nodeKey, "the node's key " + nodeKey);
    String theirs = nodeId(inHome, inHome.toString());
    if (!ours.equals(theirs)) {
      throw new Failure(inHome + " is the key of node " + theirs + ", not of this node (" + ours + "): the home "
          + "belongs to another node. Import a claim of this node, or remove that file to give the home this "
          + "node's identity");
    }
  }

  private static String nodeId(Path file, String what) throws Failure, IOException {
    try {
      return NodeId.fromNodeKeyJson(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new Failure(what + " is not a node key: " + e.getMessage(), e);
    }
  }

  /** The genesis at {@code source} copied to {@code <home>/config/genesis.json}; false when the home has one. */
  static boolean installGenesis(Path home, Path source) throws Failure, IOException {
    Path target = home.resolve("config").resolve(SeidSettings.GENESIS_FILE);
    if (Files.exists(target)) {
      return false;
    }
    if (!Files.isRegularFile(source)) {
      throw new Failure("the genesis source " + source + " is missing: its ConfigMap needs the key "
          + SeidSettings.GENESIS_FILE);
    }
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  /** The genesis at {@code url}, checked against {@code sha256}, as {@code <home>/config/genesis.json}. */
  static boolean downloadGenesis(Path home, URI url, String sha256, HttpClient http) throws Failure, IOException {
    Path target = home.resolve("config").resolve(SeidSettings.GENESIS_FILE);
    if (Files.exists(target)) {
      return false;
    }
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    HttpResponse<InputStream> response;
    try {
      response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while fetching the genesis from " + url, e);
    } catch (IOException e) {
      throw new Failure("could not fetch the genesis from " + url + ": " + e.getMessage(), e);
    }
    MessageDigest digest = sha256();
    try (InputStream in = response.body();
        OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), digest)) {
      if (response.statusCode() != 200) {
        throw new Failure("fetching the genesis from " + url + " answered HTTP " + response.statusCode());
      }
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        total += read;
        if (total > MAX_GENESIS_BYTES) {
          throw new Failure("the genesis at " + url + " is larger than " + (MAX_GENESIS_BYTES >> 20) + " MiB");
        }
        out.write(buffer, 0, read);
      }
    } catch (Failure | IOException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(sha256)) {
      Files.deleteIfExists(partial);
      throw new Failure("the genesis at " + url + " has SHA-256 " + actual + ", not " + sha256
          + " as the controller's SEI_GENESIS says; it was not installed");
    }
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  private static void replace(Path target, String content) throws IOException {
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    Files.writeString(partial, content);
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * {@code --home H --overlays D [--node-key K] [--genesis-file F | --genesis-url U --genesis-sha256 S]}: exits 1
   * with one line on stderr when the home cannot be prepared, 2 on a wrong command line.
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** What {@link #main} does, returning its exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    List<String> known = List.of("--home", "--overlays", "--node-key", "--genesis-file", "--genesis-url",
        "--genesis-sha256");
    if (args.length % 2 != 0 || !known.containsAll(options.keySet()) || !options.containsKey("--home")
        || !options.containsKey("--overlays")
        || options.containsKey("--genesis-url") != options.containsKey("--genesis-sha256")) {
      err.println("usage: SeidHome --home <dir> --overlays <dir> [--node-key <file>] [--genesis-file <file> | "
          + "--genesis-url <url> --genesis-sha256 <hex>]");
      return 2;
    }
    Path home = Path.of(options.get("--home"));
    try {
      if (options.containsKey("--node-key")) {
        checkNodeKey(home, Path.of(options.get("--node-key")));
      }
      List<String> merged = mergeAll(home, Path.of(options.get("--overlays")));
      out.println("seid's settings merged into " + (merged.isEmpty() ? "no file" : String.join(", ", merged)));
      boolean installed = false;
      if (options.containsKey("--genesis-file")) {
        installed = installGenesis(home, Path.of(options.get("--genesis-file")));
      } else if (options.containsKey("--genesis-url")) {
        installed = downloadGenesis(home, URI.create(options.get("--genesis-url")), options.get("--genesis-sha256"),
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build());
      }
      out.println(installed ? "genesis installed" : "genesis kept");
      return 0;
    } catch (Failure | IOException e) {
      err.println("sei-p2p: cannot prepare seid's home " + home + ": " + e.getMessage());
      return 1;
    }
  }
}
