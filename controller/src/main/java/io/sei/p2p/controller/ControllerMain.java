package io.sei.p2p.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** Starts the controller from the environment; an invalid configuration stops it with a clear message. */
public final class ControllerMain {

  private ControllerMain() {
  }

  public static void main(String[] args) {
    ControllerConfig config;
    try {
      config = ControllerConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("sei-p2p controller: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    Controller controller;
    try {
      // a replica that cannot go on exits, so that its pod restarts afresh (this never runs on SIGTERM)
      controller = Controller.start(config, client, () -> System.exit(1));
    } catch (RuntimeException e) {
      System.err.println("sei-p2p controller: could not start: " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controller.close();
      client.close();
    }, "controller-shutdown"));
  }
}
