package io.sei.p2p.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.PeerSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Ec2PeersTest {

  private static final String ID = "0123456789abcdef0123456789abcdef01234567";

  private static Ec2Peers.Instance instance(Map<String, String> tags, String publicDns, String publicIp,
      String privateDns, String privateIp) {
    return new Ec2Peers.Instance("i-0abc", tags, publicDns, publicIp, privateDns, privateIp);
  }

  private static String peer(Ec2Peers.Instance instance) {
    return Ec2Peers.compose(instance).peer();
  }

  private static String problem(Ec2Peers.Instance instance) {
    return Ec2Peers.compose(instance).problem();
  }

  @Test
  void theHostIsTheFirstAddressTheInstanceHasPublicBeforePrivateNamesBeforeAddresses() {
    Map<String, String> tags = Map.of("sei.io/node-id", ID);
    assertThat(peer(instance(tags, "ec2-3-4-5-6.compute-1.amazonaws.com", "3.4.5.6", "ip-10-0-0-7.ec2.internal",
        "10.0.0.7"))).isEqualTo(ID + "@ec2-3-4-5-6.compute-1.amazonaws.com:26656");
    assertThat(peer(instance(tags, "", "3.4.5.6", "ip-10-0-0-7.ec2.internal", "10.0.0.7")))
        .as("EC2 answers an empty public DNS name when there is none").isEqualTo(ID + "@3.4.5.6:26656");
    assertThat(peer(instance(tags, null, null, "ip-10-0-0-7.ec2.internal", "10.0.0.7")))
        .isEqualTo(ID + "@ip-10-0-0-7.ec2.internal:26656");
    assertThat(peer(instance(tags, null, "", "", "10.0.0.7"))).isEqualTo(ID + "@10.0.0.7:26656");
    assertThat(problem(instance(tags, "", null, "", null))).isEqualTo("has no public or private address");
  }

  @Test
  void thePortTagReplacesTheDefaultOnlyWhenItIsAPort() {
    assertThat(peer(instance(Map.of("sei.io/node-id", ID, "sei.io/p2p-port", "30000"), null, null, null,
        "10.0.0.7"))).isEqualTo(ID + "@10.0.0.7:30000");
    for (String bad : List.of("0", "65536", "-1", "26656 ", "+26656", "", "0x10", "99999999999")) {
      assertThat(problem(instance(Map.of("sei.io/node-id", ID, "sei.io/p2p-port", bad), null, null, null,
          "10.0.0.7"))).as(bad).isEqualTo("has sei.io/p2p-port \"" + bad + "\", which is not a port from 1 to 65535");
    }
  }

  @Test
  void theNodeIdTagMustBeFortyLowercaseHexCharacters() {
    assertThat(problem(instance(Map.of("Name", "sentry"), "a.example.com", null, null, null)))
        .isEqualTo("has no sei.io/node-id tag");
    assertThat(problem(instance(Map.of("sei.io/node-id", ""), "a.example.com", null, null, null)))
        .isEqualTo("has no sei.io/node-id tag");
    assertThat(problem(instance(Map.of("sei.io/node-id", ID.toUpperCase()), "a.example.com", null, null, null)))
        .isEqualTo("has sei.io/node-id \"0123456789ABCDEF0123456789ABCDEF01234567\", which is not 40 lowercase "
            + "hexadecimal characters");
    assertThat(problem(instance(Map.of("sei.io/node-id", ID + "0"), "a.example.com", null, null, null)))
        .endsWith("which is not 40 lowercase hexadecimal characters");
    assertThat(problem(instance(Map.of("sei.io/node-id", "g".repeat(40)), "a.example.com", null, null, null)))
        .endsWith("which is not 40 lowercase hexadecimal characters");
  }

  @Test
  void hostileValuesCannotAddPeersAndAreQuotedEscaped() {
    Map<String, String> tags = Map.of("sei.io/node-id", ID);
    for (String host : List.of("a.example.com,ffffffffffffffffffffffffffffffffffffffff@evil.example.com:26656",
        "a.example.com b.example.com", "a.example.com\nb", "a\u007f.example.com", "evil@a.example.com",
        "a.example.com:1", "[::1", "a_b.example.com")) {
      Ec2Peers.Composed composed = Ec2Peers.compose(instance(tags, host, null, null, null));
      assertThat(composed.peer()).as(host).isNull();
      assertThat(composed.problem()).as(host).startsWith("has host \"")
          .endsWith("\", which is not a DNS name or an IP address").doesNotContain("\n", "\u007f");
    }
    assertThat(problem(instance(tags, "a.example.com\nb", null, null, null)))
        .isEqualTo("has host \"a.example.com\\u000ab\", which is not a DNS name or an IP address");
    assertThat(problem(instance(Map.of("sei.io/node-id", "x".repeat(500)), "a.example.com", null, null, null)))
        .as("a long value is cut").hasSize("has sei.io/node-id \"".length() + 80 + "...\"".length()
            + ", which is not 40 lowercase hexadecimal characters".length());
  }

  @Test
  void aSourceAsksForRunningInstancesWithEveryTagAndItsKeyIsItsOwn() {
    Ec2Peers.Source source = Ec2Peers.Source.of(new PeerSource.Ec2Tags("us-east-2",
        Map.of("chain", "pacific-1", "role", "sentry")));
    assertThat(source.filters()).containsExactly(Map.entry("instance-state-name", "running"),
        Map.entry("tag:chain", "pacific-1"), Map.entry("tag:role", "sentry"));
    assertThat(source).isEqualTo(new Ec2Peers.Source("us-east-2", Map.of("role", "sentry", "chain", "pacific-1")));
    assertThat(new Ec2Peers.Source("r", Map.of("a", "b1:c")).key())
        .isNotEqualTo(new Ec2Peers.Source("r", Map.of("a", "b", "1:c", "")).key());
    assertThat(PeerIndex.dependencyKeys("ns", List.of(new PeerSource(new PeerSource.Ec2Tags("us-east-2",
        Map.of("role", "sentry", "chain", "pacific-1")), null, null, null))))
        .containsExactly(PeerIndex.dependentsOfEc2(source));
  }

  @Test
  void resolutionUsesTheLastAnswerNamesTheSkippedAndAwaitsASourceNeverAnswered() {
    Ec2Peers.Source sentries = new Ec2Peers.Source("us-east-2", Map.of("role", "sentry"));
    Ec2Peers.Source validators = new Ec2Peers.Source("eu-west-1", Map.of("role", "validator"));
    Ec2Peers.Failure throttled = new Ec2Peers.Failure(false, "EC2 DescribeInstances in us-east-2 failed: "
        + "RequestLimitExceeded");
    Peers.Directory directory = Fixtures.directory(List.of(), List.of(), Map.of(sentries, new Ec2Peers.Lookup(
        List.of(new Ec2Peers.Instance("i-1", Map.of("sei.io/node-id", ID), null, null, null, "10.0.0.7"),
            new Ec2Peers.Instance("i-2", Map.of(), null, null, null, "10.0.0.8")), throttled, true)));
    List<PeerSource> sources = List.of(
        new PeerSource(new PeerSource.Ec2Tags("us-east-2", Map.of("role", "sentry")), null, null, null),
        new PeerSource(new PeerSource.Ec2Tags("eu-west-1", Map.of("role", "validator")), null, null, null));

    Peers.Resolution resolution = Peers.resolve("me", "ns", sources, directory);

    assertThat(resolution.persistentPeers()).containsExactly(ID + "@10.0.0.7:26656");
    assertThat(resolution.resolvedPeers()).containsExactly("10.0.0.7:26656");
    assertThat(resolution.rejected()).containsExactly("EC2 instance i-2 in us-east-2 has no sei.io/node-id tag");
    assertThat(resolution.ec2Failures()).containsExactly(throttled);
    assertThat(resolution.ec2Pending()).as("validators were never answered").isTrue();
    assertThat(resolution.awaiting()).isEqualTo(1);
    assertThat(validators.region()).isEqualTo("eu-west-1");
  }
}
