package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.NodeModes.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every environment variable the two processes read has its row in the README's configuration table. */
class ReadmeConfigurationTest {

  /** How the configuration classes read a variable: env.get("X"), env.getOrDefault("X", ...), helper(env, "X", ...). */
  private static final Pattern READ = Pattern.compile("(?:env\\.get(?:OrDefault)?\\(|\\(env, )\"([A-Z][A-Z0-9_]+)\"");
  private static final List<String> CONFIGURATION_CLASSES = List.of(
      "webhook/src/main/java/io/sei/p2p/webhook/WebhookConfig.java",
      "controller/src/main/java/io/sei/p2p/controller/ControllerConfig.java");

  @Test
  void everyVariableTheProcessesReadIsInTheTable() throws IOException {
    Path repo = RepoRoot.find();
    Set<String> read = new TreeSet<>();
    for (String source : CONFIGURATION_CLASSES) {
      Matcher variable = READ.matcher(Files.readString(repo.resolve(source)));
      while (variable.find()) {
        read.add(variable.group(1));
      }
    }
    // the controller reads one size variable per mode, by name
    for (Mode mode : Mode.values()) {
      read.add("SEI_SIZE_" + mode.name());
    }
    Set<String> documented = new TreeSet<>();
    Matcher cell = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher(String.join("\n",
        Files.readAllLines(repo.resolve("README.md")).stream().filter(line -> line.startsWith("| `")).toList()));
    while (cell.find()) {
      documented.add(cell.group(1));
    }

    assertThat(read).as("variables the configuration classes read").contains("TLS_POLL_SECONDS", "SEI_VPC_CIDR",
        "SEI_SIZE_ARCHIVE").hasSizeGreaterThan(25);
    assertThat(documented).as("variables in the README's tables").containsAll(read);
  }
}
