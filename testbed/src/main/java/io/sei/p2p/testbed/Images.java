package io.sei.p2p.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The project's images, built by {@code images/build.sh} (from Debian base images, with podman, no registry), and
 * podman set up as that script says this machine needs.
 */
public record Images(String webhook, String controller, Map<String, String> podmanEnv) {

  /** Builds both images (the script reuses its cached base images) and reads what it printed. */
  public static Images build() {
    Path script = RepoRoot.find().resolve("images/build.sh");
    Map<String, String> printed = new HashMap<>();
    for (String line : run(List.of("bash", script.toString()), Map.of(), Duration.ofMinutes(20)).split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        printed.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    String webhook = printed.remove("WEBHOOK_IMAGE");
    String controller = printed.remove("CONTROLLER_IMAGE");
    if (webhook == null || controller == null) {
      throw new IllegalStateException(script + " printed no WEBHOOK_IMAGE or CONTROLLER_IMAGE: " + printed);
    }
    return new Images(webhook, controller, Map.copyOf(printed));
  }

  /** Runs podman with {@code args}; its stdout, or an exception with its output when it fails. */
  public String podman(String... args) {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    return run(command, podmanEnv, Duration.ofMinutes(2));
  }

  /** Runs podman with {@code args}; its exit code, whatever it is. */
  public int podmanExitCode(String... args) {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().putAll(podmanEnv);
      Process process = builder.start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish");
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String run(List<String> command, Map<String, String> env, Duration timeout) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(env);
      Process process = builder.start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
            + "); its messages are above; its output:\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
