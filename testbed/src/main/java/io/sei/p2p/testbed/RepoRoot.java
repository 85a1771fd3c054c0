package io.sei.p2p.testbed;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository checkout this code runs from (the build passes it; else found from the working directory). */
public final class RepoRoot {

  private RepoRoot() {
  }

  public static Path find() {
    String configured = System.getProperty("sei.repo.root");
    if (configured != null && Files.isDirectory(Path.of(configured, "testbed", "kube"))) {
      return Path.of(configured).toAbsolutePath();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("testbed/kube")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the sei-p2p checkout from " + Path.of("").toAbsolutePath()
        + "; run from inside it or pass -Dsei.repo.root=<path>");
  }
}
