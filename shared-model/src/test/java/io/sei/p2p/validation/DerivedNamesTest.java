package io.sei.p2p.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DerivedNamesTest {

  @Test
  void namesUpToTheLimitPass() {
    assertThat(DerivedNames.checkNode("a".repeat(59), "metadata.name")).isEmpty(); // a...a-p2p is 63
  }

  @Test
  void theLoadBalancerServiceNameIsTheFirstToOverflow() {
    String node = "a".repeat(60);

    assertThat(DerivedNames.checkNode(node, "metadata.name")).singleElement().satisfies(problem -> {
      assertThat(problem.field()).isEqualTo("metadata.name");
      assertThat(problem.message()).startsWith("derived load-balancer Service name \"" + node + "-p2p\" is 64 "
          + "characters long; the limit is 63");
    });
  }

  @Test
  void namesThatAreNotDns1035LabelsFail() {
    assertThat(DerivedNames.checkNode("0-validator", "metadata.name")).singleElement()
        .extracting(FieldProblem::message).asString().contains("must start with a lowercase letter");
    assertThat(DerivedNames.checkNode("rpc.node", "metadata.name")).hasSize(1);
  }

  @Test
  void aDeploymentIsJudgedByItsLongestChild() {
    String name = "a".repeat(57); // child a...a-9-p2p is 63; a...a-10-p2p is 64
    assertThat(DerivedNames.checkDeployment(name, 10, "metadata.name")).isEmpty();

    assertThat(DerivedNames.checkDeployment(name, 11, "metadata.name")).singleElement()
        .extracting(FieldProblem::message).asString()
        .contains("\"" + name + "-10-p2p\" (the name of child SeiNode \"" + name + "-10\" of this deployment) is 64");
  }
}
