package io.sei.p2p.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sei.p2p.config.NlbTargetType;
import org.junit.jupiter.api.Test;

class RoutabilityTest {

  @Test
  void instanceTargetsAreAlwaysRoutable() {
    assertThat(Routability.ofPod(NlbTargetType.INSTANCE, null, null).routable()).isTrue();
    assertThat(Routability.ofCluster(NlbTargetType.INSTANCE, "garbage").routable()).isTrue();
  }

  @Test
  void ipTargetsNeedAConfiguredValidCidr() {
    assertThat(Routability.ofCluster(NlbTargetType.IP, null))
        .isEqualTo(new Routability(false, "SEI_VPC_CIDR is not configured"));
    assertThat(Routability.ofCluster(NlbTargetType.IP, "  ").routable()).isFalse();
    assertThat(Routability.ofCluster(NlbTargetType.IP, "10.0.0.0/33"))
        .isEqualTo(new Routability(false,
            "SEI_VPC_CIDR is not a valid CIDR list: \"10.0.0.0/33\" has a prefix length outside 0..32"));
    assertThat(Routability.ofCluster(NlbTargetType.IP, "10.0.0.0").reason()).contains("has no /prefix-length");
    assertThat(Routability.ofCluster(NlbTargetType.IP, "vpc/16").reason()).contains("does not start with an IP address");
    assertThat(Routability.ofCluster(NlbTargetType.IP, "10.0.0.0/16").routable()).isTrue();
  }

  @Test
  void aMalformedSettingIsRefusedNamingItAndAnUnsetOneIsAllowed() {
    assertThat(Routability.vpcCidrSetting(null)).isNull();
    assertThat(Routability.vpcCidrSetting(" ")).isNull();
    assertThat(Routability.vpcCidrSetting("10.0.0.0/16,100.64.0.0/16")).isEqualTo("10.0.0.0/16,100.64.0.0/16");
    assertThatThrownBy(() -> Routability.vpcCidrSetting("10.0.0.0/99"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SEI_VPC_CIDR must be comma-separated CIDRs such as 10.0.0.0/16,100.64.0.0/16, not "
            + "\"10.0.0.0/99\": \"10.0.0.0/99\" has a prefix length outside 0..32");
    assertThat(Routability.podIpSetting(null)).isNull();
    assertThat(Routability.podIpSetting(" 10.0.3.7 ")).isEqualTo("10.0.3.7");
    assertThatThrownBy(() -> Routability.podIpSetting("10.0.3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("POD_IP must be the pod's IP address (the downward API's status.podIP), not \"10.0.3\"");
  }

  @Test
  void podIpMustBeInsideOneOfTheCidrs() {
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16", "10.0.3.7"))
        .isEqualTo(new Routability(true, "pod IP 10.0.3.7 is inside VPC CIDR 10.0.0.0/16"));
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16", "100.64.3.7"))
        .isEqualTo(new Routability(false, "pod IP 100.64.3.7 is outside VPC CIDR 10.0.0.0/16 (overlay network)"));
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16, 172.16.0.0/12", "172.20.1.1").routable()).isTrue();
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16,10.1.0.0/16", "10.2.0.1").reason())
        .isEqualTo("pod IP 10.2.0.1 is outside VPC CIDRs 10.0.0.0/16, 10.1.0.0/16 (overlay network)");
  }

  @Test
  void unknownOrMalformedPodIpFailsClosed() {
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16", null).reason()).contains("POD_IP is not set");
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16", "pod-a").reason())
        .isEqualTo("pod IP \"pod-a\" is not an IP address");
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/16", "10.0.0.256").routable()).isFalse();
  }

  @Test
  void ipv6() {
    assertThat(Routability.ofPod(NlbTargetType.IP, "2600:1f14::/56", "2600:1f14:0:ff::7").routable()).isTrue();
    assertThat(Routability.ofPod(NlbTargetType.IP, "2600:1f14::/56", "2600:1f15::7").routable()).isFalse();
    assertThat(Routability.ofPod(NlbTargetType.IP, "10.0.0.0/8", "::ffff:10.0.0.1").routable())
        .as("an IPv4-mapped address is not in an IPv4 CIDR's family").isFalse();
  }

  @Test
  void targetTypeParsesStrictly() {
    assertThat(NlbTargetType.parse(null)).isEqualTo(NlbTargetType.IP);
    assertThat(NlbTargetType.parse("instance")).isEqualTo(NlbTargetType.INSTANCE);
    assertThat(NlbTargetType.INSTANCE.annotationValue()).isEqualTo("instance");
    assertThatThrownBy(() -> NlbTargetType.parse("nlb"))
        .hasMessage("SEI_NLB_TARGET_TYPE must be \"ip\" or \"instance\", not \"nlb\"");
  }
}
