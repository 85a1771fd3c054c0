package io.sei.p2p.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process whose output goes to a log file, stopped with SIGTERM and then, if it lingers, SIGKILL. */
final class LocalProcess implements AutoCloseable {

  private static final Duration GRACE = Duration.ofSeconds(10);

  private final String name;
  private final Process process;
  private final Path log;

  private LocalProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static LocalProcess start(String name, List<String> command, Path log) {
    return start(name, command, Map.of(), log);
  }

  static LocalProcess start(String name, List<String> command, Map<String, String> env, Path log) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      return new LocalProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + " (" + command.get(0) + ")", e);
    }
  }

  /** Sends SIGTERM, as the kubelet does to stop a container, and returns at once. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the process to end by itself; false when it is still running after {@code timeout}. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String name() {
    return name;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  int exitCode() {
    return process.exitValue();
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Tells whether the process serves yet; an IOException means it does not listen yet. */
  @FunctionalInterface
  interface Probe {
    boolean serves() throws IOException, InterruptedException;
  }

  /**
   * Waits until {@code probe} says the process serves, asking every {@code interval}; fails at once if the process
   * exits, and after {@code limit} with the end of its log.
   */
  void awaitServing(Probe probe, Duration limit, Duration interval) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(describeExit());
      }
      try {
        if (probe.serves()) {
          return;
        }
      } catch (IOException notListeningYet) {
        // asked again below
      }
      Thread.sleep(interval.toMillis());
    }
    throw new IllegalStateException(name + " did not serve within " + limit.toSeconds() + " s; last lines of its log:\n"
        + tail(30));
  }

  /** The last lines of the log, for error messages. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  /** Its name and whether it still runs, or how it ended. */
  String describeState() {
    return process.isAlive() ? name + " (running)" : name + " (exited with code " + process.exitValue() + ")";
  }

  String describeExit() {
    return name + " exited with code " + process.exitValue() + "; last lines of " + log + ":\n" + tail(30);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
