package io.sei.p2p.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts one of this project's main classes as its own JVM, on this JVM's classpath. */
final class JavaProcess {

  private JavaProcess() {
  }

  static LocalProcess start(String name, Class<?> mainClass, List<String> jvmOptions, Map<String, String> env,
      Path log) {
    return start(name, mainClass, jvmOptions, List.of(), env, log);
  }

  static LocalProcess start(String name, Class<?> mainClass, List<String> jvmOptions, List<String> args,
      Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    return LocalProcess.start(name, command, env, log);
  }
}
