package io.sei.p2p.validation;

import static io.sei.p2p.model.Fixtures.NOT_ROUTABLE;
import static io.sei.p2p.model.Fixtures.ROUTABLE;
import static io.sei.p2p.model.Fixtures.deployment;
import static io.sei.p2p.model.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import org.junit.jupiter.api.Test;

class NodeValidationTest {

  private static final String TCP = ",\"networking\":{\"tcp\":{}}";
  private static final String BAD_PEER = ",\"peers\":[{\"static\":{\"addresses\":[\"peer.example.com:26656\"]}}]";

  @Test
  void tcpOnARoutableClusterIsAllowed() {
    Validation result = NodeValidation.validate(node("a", TCP), null, ROUTABLE);

    assertThat(result.allowed()).isTrue();
    assertThat(result.warnings()).isEmpty();
  }

  @Test
  void tcpOnANonRoutableClusterIsRefusedOnCreateWithTheReason() {
    Validation result = NodeValidation.validate(node("a", TCP), null, NOT_ROUTABLE);

    assertThat(result.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.field()).isEqualTo("spec.networking.tcp");
      assertThat(problem.message()).startsWith("this cluster cannot publish nodes over tcp: SEI_VPC_CIDR is not "
          + "configured. Remove spec.networking.tcp, or run the sei-p2p webhook");
    });
  }

  @Test
  void anUpdateThatAddsTcpIsRefused() {
    assertThat(NodeValidation.validate(node("a", TCP), node("a", ""), NOT_ROUTABLE).allowed()).isFalse();
  }

  @Test
  void anUpdateOfANodeThatAlreadyHadTcpIsAllowedWithAWarning() {
    Validation result = NodeValidation.validate(node("a", TCP + ",\"paused\":true"), node("a", TCP), NOT_ROUTABLE);

    assertThat(result.allowed()).isTrue();
    assertThat(result.warnings()).containsExactly(
        "spec.networking.tcp kept, but this cluster cannot publish: SEI_VPC_CIDR is not configured");
  }

  @Test
  void removingTcpIsAlwaysAllowed() {
    assertThat(NodeValidation.validate(node("a", ""), node("a", TCP), NOT_ROUTABLE).allowed()).isTrue();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Validation result = NodeValidation.validate(node("n".repeat(61), TCP + BAD_PEER), null, NOT_ROUTABLE);

    assertThat(result.problems()).extracting(FieldProblem::field)
        .containsExactly("spec.networking.tcp", "metadata.name", "spec.peers[0].static.addresses[0]");
  }

  @Test
  void problemsTheStoredObjectAlreadyHadDoNotBlockAnEdit() {
    SeiNode stored = node("a", BAD_PEER);

    assertThat(NodeValidation.validate(node("a", BAD_PEER + ",\"paused\":true"), stored, ROUTABLE).allowed()).isTrue();
    assertThat(NodeValidation.validate(node("a", BAD_PEER.replace("peer.", "other.")), stored, ROUTABLE).allowed())
        .as("a new bad address is a new problem").isFalse();
  }

  @Test
  void deploymentsAreCheckedAtBothNetworkingBlocksAndForTheirLongestChild() {
    Validation result = DeploymentValidation.validate(
        deployment("d".repeat(58), TCP, TCP + BAD_PEER), null, NOT_ROUTABLE);

    assertThat(result.problems()).extracting(FieldProblem::field).containsExactly(
        "spec.networking.tcp", "spec.template.spec.networking.tcp", "metadata.name",
        "spec.template.spec.peers[0].static.addresses[0]");
  }

  @Test
  void deploymentTcpRatchetsPerBlock() {
    Validation result = DeploymentValidation.validate(deployment("d", TCP, TCP), deployment("d", "", TCP),
        NOT_ROUTABLE);

    assertThat(result.problems()).extracting(FieldProblem::field).containsExactly("spec.networking.tcp");
    assertThat(result.warnings()).containsExactly(
        "spec.template.spec.networking.tcp kept, but this cluster cannot publish: SEI_VPC_CIDR is not configured");
  }

  @Test
  void scalingUpSoThatChildNamesOverflowIsRefused() {
    String name = "d".repeat(57); // child -9 gives a 63-character Service name, child -10 a 64-character one
    SeiNodeDeployment ten = Fixtures.deployment(name, 10);

    assertThat(DeploymentValidation.validate(ten, null, ROUTABLE).allowed()).isTrue();
    assertThat(DeploymentValidation.validate(Fixtures.deployment(name, 11), ten, ROUTABLE).problems())
        .extracting(FieldProblem::field).containsExactly("metadata.name");
  }
}
