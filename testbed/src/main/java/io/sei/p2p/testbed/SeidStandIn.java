package io.sei.p2p.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The image that stands in for seid on the real node (seid cannot be built here): Tendermint v0.35.9, whose config,
 * key and P2P layer seid's descend from, behind the {@code seid} script that maps the pod's two seid commands onto it,
 * on Debian's static busybox for the shell and tools the init script uses. The storage helper pods run it too.
 */
public final class SeidStandIn {

  public static final String IMAGE = "localhost/sei-p2p/seid-standin:local";
  static final Path BUSYBOX = Path.of("/bin/busybox");

  private SeidStandIn() {
  }

  /** Builds the image from the local binaries and imports it into {@code node}'s store. */
  public static void importInto(LocalNode node, ControlPlaneBinaries binaries) {
    Path rootfs = node.folder("rootfs-seid-standin");
    try {
      Path bin = Files.createDirectories(rootfs.resolve("bin"));
      Files.copy(BUSYBOX, bin.resolve("busybox"));
      for (String applet : applets()) {
        if (!applet.equals("busybox")) {
          Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
      }
      Path local = Files.createDirectories(rootfs.resolve("usr/local/bin"));
      Files.copy(binaries.tendermint().toRealPath(), local.resolve("tendermint"));
      Files.copy(RepoRoot.find().resolve("testbed/kube/tendermint/seid"), local.resolve("seid"));
      Files.setPosixFilePermissions(local.resolve("seid"), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(Files.createDirectories(rootfs.resolve("tmp")),
          PosixFilePermissions.fromString("rwxrwxrwx"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    node.importImage(IMAGE, rootfs, null, Map.of("PATH", "/usr/local/bin:/bin"));
  }

  /**
   * A genesis that names one validator, as a chain needs (Tendermint will not start without one), made by
   * {@code tendermint init validator} in {@code dir}.
   */
  public static String genesis(Path tendermint, Path dir) {
    run(List.of(tendermint.toString(), "init", "validator", "--home", dir.toString()), Map.of());
    try {
      return Files.readString(dir.resolve("config/genesis.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The output of {@code command} run with {@code env} added to this process's; a failure says what it printed. */
  static String run(List<String> command, Map<String, String> env) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> applets() {
    return run(List.of(BUSYBOX.toString(), "--list"), Map.of()).lines()
        .filter(name -> name.matches("[a-z0-9_.\\[-]+")).toList();
  }
}
