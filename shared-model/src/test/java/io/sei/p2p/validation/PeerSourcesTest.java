package io.sei.p2p.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.PeerSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerSourcesTest {

  private static final String ID = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void wellFormedStaticAddressesPass() {
    assertThat(PeerSources.check(List.of(statics(ID + "@peer.example.com:26656", ID + "@10.0.0.1:1",
        ID.toUpperCase() + "@[2001:db8::1]:65535")), "spec.peers")).isEmpty();
  }

  @Test
  void eachMalformedStaticAddressIsReportedAtItsIndex() {
    List<FieldProblem> problems = PeerSources.check(List.of(
        statics(ID + "@ok.example.com:26656", "peer.example.com:26656", "abc@h:1", ID + "@h:0", ID + "@h_x:5",
            ID + "@2001:db8::1:26656", ID + "@[zz::1]:1")), "spec.peers");

    assertThat(problems).extracting(FieldProblem::field).containsExactly(
        "spec.peers[0].static.addresses[1]", "spec.peers[0].static.addresses[2]", "spec.peers[0].static.addresses[3]",
        "spec.peers[0].static.addresses[4]", "spec.peers[0].static.addresses[5]", "spec.peers[0].static.addresses[6]");
    assertThat(problems.get(0).message()).startsWith("\"peer.example.com:26656\" has no node ID")
        .contains("write it as <node_id>@<host>:<port>");
    assertThat(problems.get(1).message()).contains("node ID \"abc\", which is not 40 hexadecimal characters");
    assertThat(problems.get(2).message()).contains("port 0, outside 1..65535");
    assertThat(problems.get(3).message()).contains("host \"h_x\"");
    assertThat(problems.get(4).message()).contains("IPv6 hosts go in brackets");
    assertThat(problems.get(5).message()).contains("host \"[zz::1]\"");
  }

  @Test
  void selectorsAndNamespacesAreCheckedLikeTheApiserverChecksLabels() {
    List<FieldProblem> problems = PeerSources.check(List.of(
        new PeerSource(null, null, new PeerSource.Label(Map.of("sei.io/chain", "pacific-1"), "sei-rpc"), null),
        new PeerSource(null, null, null,
            new PeerSource.SeiNodeDeploymentSelector(Map.of("Bad_Prefix/role", "x"), "Not_A_Namespace")),
        new PeerSource(null, null, new PeerSource.Label(Map.of("role", "-bad-"), null), null)), "spec.peers");

    assertThat(problems).extracting(FieldProblem::field).containsExactly(
        "spec.peers[1].seinodeDeployment.selector", "spec.peers[1].seinodeDeployment.namespace",
        "spec.peers[2].label.selector");
    assertThat(problems.get(0).message()).contains("prefix \"Bad_Prefix\"");
    assertThat(problems.get(1).message()).contains("\"Not_A_Namespace\" is not a namespace name");
    assertThat(problems.get(2).message()).contains("label value \"-bad-\" of key \"role\"");
  }

  @Test
  void regionMustLookLikeAnAwsRegion() {
    assertThat(PeerSources.check(List.of(ec2("us-east-2"), ec2("us-gov-west-1"), ec2("ap-southeast-1")), "p"))
        .isEmpty();
    assertThat(PeerSources.check(List.of(ec2("useast2")), "spec.peers")).singleElement()
        .isEqualTo(new FieldProblem("spec.peers[0].ec2Tags.region",
            "\"useast2\" does not look like an AWS region; use a region code such as us-east-2"));
  }

  @Test
  void tagsKeepToEc2sLimits() {
    String longKey = "k".repeat(129);
    List<FieldProblem> problems = PeerSources.check(List.of(new PeerSource(new PeerSource.Ec2Tags("us-east-2",
        Map.of("", "x", longKey, "v", "role", "v".repeat(257), "fine", "v".repeat(256))), null, null, null)),
        "spec.peers");
    assertThat(problems).containsExactlyInAnyOrder(
        new FieldProblem("spec.peers[0].ec2Tags.tags", "tag key \"\" has 0 characters; EC2 tag keys have 1 to 128"),
        new FieldProblem("spec.peers[0].ec2Tags.tags", "tag key \"" + "k".repeat(40) + "...\" has 129 characters; "
            + "EC2 tag keys have 1 to 128"),
        new FieldProblem("spec.peers[0].ec2Tags.tags[role]", "the value has 257 characters; EC2 tag values have at "
            + "most 256"));
  }

  private static PeerSource statics(String... addresses) {
    return new PeerSource(null, new PeerSource.Static(List.of(addresses)), null, null);
  }

  private static PeerSource ec2(String region) {
    return new PeerSource(new PeerSource.Ec2Tags(region, Map.of("a", "b")), null, null, null);
  }
}
