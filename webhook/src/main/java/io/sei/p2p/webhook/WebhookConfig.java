package io.sei.p2p.webhook;

import io.sei.p2p.rules.NlbTargetType;
import io.sei.p2p.rules.Routability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The webhook's settings, parsed once from the environment; a bad value stops the process with a clear message. */
public record WebhookConfig(
    int httpsPort,
    int healthPort,
    Path certFile,
    Path keyFile,
    NlbTargetType targetType,
    String vpcCidr,
    String podIp,
    Duration drainDelay,
    Duration certPollInterval) {

  public static WebhookConfig fromEnv(Map<String, String> env) {
    return new WebhookConfig(
        port(env, "WEBHOOK_PORT", 9443),
        port(env, "HEALTH_PORT", 8081),
        Path.of(env.getOrDefault("TLS_CERT_FILE", "/etc/webhook/tls/tls.crt")),
        Path.of(env.getOrDefault("TLS_KEY_FILE", "/etc/webhook/tls/tls.key")),
        NlbTargetType.parse(env.get("SEI_NLB_TARGET_TYPE")),
        env.get("SEI_VPC_CIDR"),
        env.get("POD_IP"),
        Duration.ofSeconds(number(env, "SHUTDOWN_DRAIN_SECONDS", 5, 0, 300)),
        Duration.ofSeconds(number(env, "TLS_POLL_SECONDS", 2, 1, 3600)));
  }

  /** Whether this webhook's cluster can publish nodes: its own pod IP stands for every pod's. */
  public Routability routability() {
    return Routability.ofPod(targetType, vpcCidr, podIp);
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    return number(env, name, fallback, 0, 65535);
  }

  private static int number(Map<String, String> env, String name, int fallback, int min, int max) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", not \""
        + value + "\"");
  }
}
