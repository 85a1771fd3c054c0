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
    // a replica that lost its Lease exits, so that its pod restarts and campaigns again (this never runs on SIGTERM)
    Controller controller = Controller.start(config, client, () -> System.exit(1));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controller.close();
      client.close();
    }, "controller-shutdown"));
  }
}
