package io.sei.p2p.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A program of this machine run to its end (two minutes at most), its output and standard error together. */
final class Command {

  private Command() {
  }

  static void run(List<String> command) {
    Result result = execute(command);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (exit " + result.exitCode() + "): "
          + result.output());
    }
  }

  static int exitCode(List<String> command) {
    return execute(command).exitCode();
  }

  static String output(List<String> command) {
    return execute(command).output();
  }

  private record Result(int exitCode, String output) {
  }

  private static Result execute(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return new Result(-1, output);
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
