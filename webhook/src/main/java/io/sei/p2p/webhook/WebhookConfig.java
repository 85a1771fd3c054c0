package io.sei.p2p.webhook;

import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.config.Settings;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.net.Routability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    Duration certPollInterval,
    TlsMode tlsMode,
    String namespace,
    String service,
    String tlsSecret,
    String webhookConfiguration,
    Duration selfSignedValidity,
    List<String> extraNames,
    Duration requestTimeout,
    int maxInFlight,
    Set<String> watchNamespaces) {

  /** Where the serving certificate comes from. */
  public enum TlsMode {
    /** Files written by someone else (a mounted Secret, e.g. from cert-manager); reloaded on change. */
    FILES,
    /** This webhook keeps its own Secret and caBundle (leader-elected), and writes the files itself. */
    SELF_SIGNED
  }

  public static WebhookConfig fromEnv(Map<String, String> env) {
    return new WebhookConfig(
        Settings.port(env, "WEBHOOK_PORT", 9443),
        Settings.port(env, "HEALTH_PORT", 8081),
        Path.of(env.getOrDefault("TLS_CERT_FILE", "/etc/webhook/tls/tls.crt")),
        Path.of(env.getOrDefault("TLS_KEY_FILE", "/etc/webhook/tls/tls.key")),
        NlbTargetType.parse(env.get("SEI_NLB_TARGET_TYPE")),
        Routability.vpcCidrSetting(env.get("SEI_VPC_CIDR")),
        Routability.podIpSetting(env.get("POD_IP")),
        Settings.seconds(env, "SHUTDOWN_DRAIN_SECONDS", 5, 0, 300),
        Settings.seconds(env, "TLS_POLL_SECONDS", 2, 1, 3600),
        tlsMode(env.getOrDefault("TLS_MODE", "files")),
        env.getOrDefault("POD_NAMESPACE", WellKnown.INSTALL_NAMESPACE),
        env.getOrDefault("WEBHOOK_SERVICE", WellKnown.WEBHOOK_NAME),
        env.getOrDefault("TLS_SECRET", WellKnown.WEBHOOK_TLS_SECRET),
        env.getOrDefault("WEBHOOK_CONFIGURATION", WellKnown.WEBHOOK_CONFIGURATION),
        Settings.seconds(env, "SELF_SIGNED_VALIDITY_SECONDS", 90 * 24 * 3600, 30, Integer.MAX_VALUE),
        List.copyOf(Settings.list(env, "TLS_EXTRA_NAMES")),
        Settings.seconds(env, "REQUEST_TIMEOUT_SECONDS", 10, 1, 300),
        Settings.wholeNumber(env, "MAX_IN_FLIGHT", 32, 1, 10_000),
        Settings.list(env, "SEI_WATCH_NAMESPACES"));
  }

  private static TlsMode tlsMode(String value) {
    return switch (value.trim()) {
      case "files" -> TlsMode.FILES;
      case "self-signed" -> TlsMode.SELF_SIGNED;
      default -> throw new IllegalArgumentException("TLS_MODE must be \"files\" or \"self-signed\", not \"" + value
          + "\"");
    };
  }

  /** Whether this webhook's cluster can publish nodes: its own pod IP stands for every pod's. */
  public Routability routability() {
    return Routability.ofPod(targetType, vpcCidr, podIp);
  }
}
