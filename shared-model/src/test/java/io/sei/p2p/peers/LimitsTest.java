package io.sei.p2p.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sei.p2p.net.Cidr;
import io.sei.p2p.net.ExternalAddress;
import io.sei.p2p.net.KubernetesNames;
import io.sei.p2p.validation.Validation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every length and range limit of the input rules, on both sides of its edge. */
class LimitsTest {

  private static final String NODE_ID = "ab".repeat(20);

  @Test
  void dnsNamesUpTo253CharactersOfLabelsUpTo63() {
    String label63 = "a".repeat(63);
    String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
    assertThat(PeerAddress.isDnsName(name253)).isTrue();
    assertThat(PeerAddress.isDnsName(name253.substring(1) + ".")).as("a final dot counts").isTrue();
    assertThat(PeerAddress.isDnsName(name253 + ".")).isFalse();
    assertThat(PeerAddress.isDnsName(name253 + "a")).isFalse();
    assertThat(PeerAddress.isDnsName(label63)).isTrue();
    assertThat(PeerAddress.isDnsName(label63 + "a")).isFalse();
    assertThat(PeerAddress.isDnsName("a")).isTrue();
    assertThat(PeerAddress.isDnsName("a..b")).as("an empty label").isFalse();
  }

  @Test
  void peerAddressesNeedANodeIdBeforeTheAtAndAHostBeforeTheColon() {
    assertThat(PeerAddress.parse("@h:26656").problem()).isEqualTo("has node ID \"\", which is not 40 hexadecimal "
        + "characters");
    assertThat(PeerAddress.parse(NODE_ID + "@:26656").problem()).startsWith("\":26656\" is not <host>:<port>");
    assertThat(PeerAddress.parse(NODE_ID + "@h:").problem()).startsWith("\"h:\" is not <host>:<port>");
    assertThat(PeerAddress.parse(NODE_ID + "@[]:26656").problem()).startsWith("\"[]:26656\" is not <host>:<port>");
    assertThat(PeerAddress.parse(NODE_ID + "@[::1]:26656").address()).hasValue(new PeerAddress(NODE_ID, "[::1]",
        26656));
    assertThat(PeerAddress.parse(NODE_ID + "@h:65535").address()).isPresent();
    assertThat(PeerAddress.parse(NODE_ID + "@h:65536").problem()).isEqualTo("has port 65536, outside 1..65535");
    assertThat(PeerAddress.parse(NODE_ID + "@h:1").address()).isPresent();
    assertThat(PeerAddress.parse(NODE_ID + "@h:0").problem()).isEqualTo("has port 0, outside 1..65535");
  }

  @Test
  void labelKeysHaveAPrefixUpTo253AndANameUpTo63() {
    String prefix253 = String.join(".", "a".repeat(63), "a".repeat(63), "a".repeat(63), "a".repeat(61));
    assertThat(KubernetesNames.labelKeyProblem(prefix253 + "/n")).isEmpty();
    assertThat(KubernetesNames.labelKeyProblem(prefix253 + "a/n")).hasValueSatisfying(p -> assertThat(p)
        .startsWith("has prefix \"" + prefix253 + "a\", which is not a DNS subdomain"));
    assertThat(KubernetesNames.labelKeyProblem("/n")).hasValue("has prefix \"\", which is not a DNS subdomain "
        + "(lowercase letters, digits, '-' and '.', at most 253 characters)");
    assertThat(KubernetesNames.labelKeyProblem("a".repeat(63))).isEmpty();
    assertThat(KubernetesNames.labelKeyProblem("a".repeat(64))).hasValueSatisfying(p -> assertThat(p)
        .startsWith("has name part \"" + "a".repeat(64) + "\", which must be 1-63 characters"));
    assertThat(KubernetesNames.labelKeyProblem("sei.io/")).isPresent();
  }

  @Test
  void labelValuesUpTo63Characters() {
    assertThat(KubernetesNames.labelValueProblem("")).isEmpty();
    assertThat(KubernetesNames.labelValueProblem("a".repeat(63))).isEmpty();
    assertThat(KubernetesNames.labelValueProblem("a".repeat(64))).hasValueSatisfying(p -> assertThat(p)
        .startsWith("must be at most 63 characters"));
  }

  @Test
  void cidrPrefixLengthsAndOctetsInRange() {
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.IpAddress.parse("203.0.113.9"))).isTrue();
    assertThat(Cidr.parse("10.0.0.1/32").contains(Cidr.IpAddress.parse("10.0.0.1"))).isTrue();
    assertThat(Cidr.parse("10.0.0.1/32").contains(Cidr.IpAddress.parse("10.0.0.2"))).isFalse();
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessage("\"10.0.0.0/33\" has a prefix length outside 0..32");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/-1")).hasMessage("\"10.0.0.0/-1\" has a prefix length outside 0..32");
    assertThat(Cidr.parse("fd00::1/128").contains(Cidr.IpAddress.parse("fd00::1"))).isTrue();
    assertThatThrownBy(() -> Cidr.parse("fd00::/129")).hasMessage("\"fd00::/129\" has a prefix length outside 0..128");
    assertThatThrownBy(() -> Cidr.parse("/8")).hasMessage("\"/8\" does not start with an IP address");
    assertThat(Cidr.IpAddress.parse("255.255.255.255")).isNotNull();
    assertThat(Cidr.IpAddress.parse("10.0.0.256")).isNull();
  }

  @Test
  void warningsUpTo120Characters() {
    String warning120 = "w".repeat(120);
    assertThat(Validation.shorten(warning120)).isEqualTo(warning120);
    assertThat(Validation.shorten(warning120 + "w")).isEqualTo("w".repeat(117) + "...");
    assertThat(new Validation(List.of(), List.of(warning120)).warnings()).hasSize(1);
    assertThatThrownBy(() -> new Validation(List.of(), List.of(warning120 + "w")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anAddressWithoutAPortIsAllHost() {
    assertThat(ExternalAddress.host("x.elb.amazonaws.com:26656")).isEqualTo("x.elb.amazonaws.com");
    assertThat(ExternalAddress.host("[fd00::1]:26656")).isEqualTo("fd00::1");
    assertThat(ExternalAddress.host("x.elb.amazonaws.com")).isEqualTo("x.elb.amazonaws.com");
    assertThat(ExternalAddress.host(":26656")).isEmpty();
  }
}
