package io.sei.p2p.validation;

import static io.sei.p2p.model.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import org.junit.jupiter.api.Test;

class StatefulSetGateTest {

  @Test
  void aTcpNodeWithoutAnAddressIsHeld() {
    StatefulSetGate.Decision decision = StatefulSetGate.decide("ns", "a", new Owner.Found(node("a", ",\"networking\":{\"tcp\":{}}")));

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.message()).isEqualTo("StatefulSet ns/a is held: SeiNode a publishes P2P over tcp but "
        + "status.externalAddress is not set yet (waiting for its load balancer)");
  }

  @Test
  void aPublishedOrNonTcpNodeIsAllowed() {
    SeiNode published = node("a", ",\"networking\":{\"tcp\":{}}");
    published.setStatus(new SeiNodeStatus("lb.example.com:26656", null, null, null, null, null));

    assertThat(StatefulSetGate.decide("ns", "a", new Owner.Found(published)).allowed()).isTrue();
    assertThat(StatefulSetGate.decide("ns", "a", new Owner.Found(node("a", ""))).allowed()).isTrue();
    assertThat(StatefulSetGate.decide("ns", "a", new Owner.Found(node("a", ",\"networking\":{}"))).allowed()).isTrue();
  }

  @Test
  void aMissingOwnerIsAllowedWithAWarningAndAnUncheckableOneIsHeld() {
    StatefulSetGate.Decision missing = StatefulSetGate.decide("ns", "a", new Owner.NotFound("a"));
    assertThat(missing.allowed()).isTrue();
    assertThat(missing.warnings()).containsExactly(
        "StatefulSet ns/a: owner SeiNode a not found; admitted without the publication check");

    StatefulSetGate.Decision unknown = StatefulSetGate.decide("ns", "a", new Owner.Unknown("a", "timeout"));
    assertThat(unknown.allowed()).isFalse();
    assertThat(unknown.message()).contains("could not be checked (timeout)");
  }

  @Test
  void theOwnerIsTheControllerReferenceElseTheLabel() {
    var byReference = new ObjectMetaBuilder().addToLabels("sei.io/node", "label-name")
        .addNewOwnerReference().withApiVersion("sei.io/v1alpha1").withKind("SeiNode").withName("owner-name")
        .withController(true).withUid("u").endOwnerReference().build();
    var foreignReference = new ObjectMetaBuilder().addToLabels("sei.io/node", "label-name")
        .addNewOwnerReference().withApiVersion("other.io/v1").withKind("SeiNode").withName("x")
        .withController(true).withUid("u").endOwnerReference().build();

    assertThat(StatefulSetGate.ownerName(byReference)).contains("owner-name");
    assertThat(StatefulSetGate.ownerName(foreignReference)).contains("label-name");
    assertThat(StatefulSetGate.ownerName(new ObjectMetaBuilder().build())).isEmpty();
    assertThat(StatefulSetGate.ownerName(new ObjectMetaBuilder().addToLabels("sei.io/node", " ").build()))
        .as("a blank label names no node").isEmpty();
  }
}
