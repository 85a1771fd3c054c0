package io.sei.p2p.webhook;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the webhook from the environment; stops it gracefully on SIGTERM. */
public final class WebhookMain {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookMain.class);
  /** The apiserver calls with timeoutSeconds 5; a live owner lookup must answer well within it. */
  private static final int API_TIMEOUT_MILLIS = 2000;

  private WebhookMain() {
  }

  public static void main(String[] args) {
    WebhookConfig config;
    try {
      config = WebhookConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("sei-p2p webhook: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.autoConfigure(null)).withRequestTimeout(API_TIMEOUT_MILLIS).build())
        .build();
    Webhook webhook = Webhook.start(config, client, AdmissionService.ReviewTap.NONE);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("SIGTERM: draining, then finishing in-flight reviews");
      webhook.close();
      client.close();
    }, "webhook-shutdown"));
  }
}
