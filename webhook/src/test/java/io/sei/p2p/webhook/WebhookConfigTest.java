package io.sei.p2p.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sei.p2p.config.NlbTargetType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {

  @Test
  void defaults() {
    WebhookConfig config = WebhookConfig.fromEnv(Map.of());

    assertThat(config.httpsPort()).isEqualTo(9443);
    assertThat(config.healthPort()).isEqualTo(8081);
    assertThat(config.certFile()).isEqualTo(Path.of("/etc/webhook/tls/tls.crt"));
    assertThat(config.targetType()).isEqualTo(NlbTargetType.IP);
    assertThat(config.drainDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.routability().reason()).isEqualTo("SEI_VPC_CIDR is not configured");
  }

  @Test
  void routabilityUsesTheWebhooksOwnPodIp() {
    WebhookConfig config = WebhookConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.9.9"));

    assertThat(config.routability().routable()).isTrue();
  }

  @Test
  void badValuesStopTheProcessWithAClearMessage() {
    assertThatThrownBy(() -> WebhookConfig.fromEnv(Map.of("WEBHOOK_PORT", "https")))
        .hasMessage("WEBHOOK_PORT must be a whole number from 0 to 65535, not \"https\"");
    assertThatThrownBy(() -> WebhookConfig.fromEnv(Map.of("SEI_NLB_TARGET_TYPE", "alb")))
        .hasMessage("SEI_NLB_TARGET_TYPE must be \"ip\" or \"instance\", not \"alb\"");
    assertThatThrownBy(() -> WebhookConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/99")))
        .hasMessageStartingWith("SEI_VPC_CIDR must be comma-separated CIDRs");
    assertThatThrownBy(() -> WebhookConfig.fromEnv(Map.of("POD_IP", "pod-ip")))
        .hasMessageStartingWith("POD_IP must be the pod's IP address");
  }
}
