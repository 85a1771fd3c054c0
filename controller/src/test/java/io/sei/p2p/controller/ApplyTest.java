package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import org.junit.jupiter.api.Test;

class ApplyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void fieldsAddedByTheApiserverDoNotCountAsDrift() throws Exception {
    JsonNode wanted = JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26656}],\"type\":\"LoadBalancer\"}}");
    JsonNode actual = JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26656,\"protocol\":\"TCP\",\"nodePort\":0}],"
        + "\"type\":\"LoadBalancer\",\"clusterIP\":\"10.0.0.9\"},\"status\":{}}");

    assertThat(Apply.contains(actual, wanted)).isTrue();
  }

  @Test
  void changedOrMissingValuesAndListsOfAnotherLengthAreDrift() throws Exception {
    JsonNode wanted = JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26656}],\"type\":\"LoadBalancer\"}}");

    assertThat(Apply.contains(JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26657}],\"type\":\"LoadBalancer\"}}"),
        wanted)).isFalse();
    assertThat(Apply.contains(JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26656},{\"port\":1}],"
        + "\"type\":\"LoadBalancer\"}}"), wanted)).isFalse();
    assertThat(Apply.contains(JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26656}]}}"), wanted)).isFalse();
    assertThat(Apply.contains(JSON.readTree("{\"spec\":{\"ports\":[{\"port\":\"26656\"}],\"type\":\"LoadBalancer\"}}"),
        wanted)).as("a string is not a number").isFalse();
  }

  @Test
  void aNumberEqualsTheSameNumberHeldInAnotherWidth() {
    assertThat(Apply.contains(LongNode.valueOf(26656), IntNode.valueOf(26656))).isTrue();
    assertThat(Apply.contains(LongNode.valueOf(26657), IntNode.valueOf(26656))).isFalse();
  }

  /** An apply keeps entries another manager added to a list; those lists are found to be replaced whole. */
  @Test
  void theListsAnApplyCannotRepairAreNamedByPointer() throws Exception {
    JsonNode wanted = JSON.readTree("{\"metadata\":{\"labels\":{\"a/b\":\"x\"}},\"spec\":{\"ports\":[{\"port\":26656}],"
        + "\"selector\":{\"pod\":\"n-0\"},\"template\":{\"containers\":[{\"name\":\"seid\"}]}}}");
    JsonNode actual = JSON.readTree("{\"metadata\":{\"labels\":{\"a/b\":\"x\"}},\"spec\":{\"ports\":[{\"port\":26000},"
        + "{\"port\":26656}],\"selector\":{\"pod\":\"n-0\"},\"template\":{\"containers\":[{\"name\":\"seid\","
        + "\"image\":\"i\"}]}}}");

    assertThat(Apply.listsNotCovered(actual, wanted, "")).containsExactly("/spec/ports");
    assertThat(Apply.listsNotCovered(JSON.readTree("{\"spec\":{\"ports\":[{\"port\":26656}]}}"),
        JSON.readTree("{\"metadata\":{\"labels\":{\"a/b\":[\"x\"]}},\"spec\":{\"ports\":[{\"port\":26656}]}}"), ""))
        .as("a key with a slash is escaped").containsExactly("/metadata/labels/a~1b");
    assertThat(Apply.listsNotCovered(wanted, wanted, "")).isEmpty();
  }

  /** What is up to date is never written: an idle cluster sees no writes. */
  @Test
  void aDriftedObjectIsWrittenAndAnUpToDateOneIsNot() {
    SeiNode node = new SeiNode();
    node.setMetadata(new ObjectMetaBuilder().withName("n").withNamespace("ns").withUid("uid-n").build());
    // nothing listens there: a request fails, so an object returned means no request was made
    try (var client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("https://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build()) {
      Apply apply = new Apply(client, new ControllerMetrics());
      ConfigMap written = configMap(node, "v1");

      assertThatThrownBy(() -> apply.ensure(written, configMap(node, "v0"))).as("drifted: it writes")
          .isInstanceOf(KubernetesClientException.class);
      assertThat(written.getMetadata().getAnnotations()).as("the applied hash joins the desired annotations")
          .containsEntry("team", "a").containsKey(WellKnown.ANNOTATION_APPLIED_HASH);

      // what the cluster holds after that write (its applied-hash included), plus fields others added
      ConfigMap live = new ConfigMapBuilder(written).editMetadata().addToLabels("added-by", "someone").endMetadata()
          .build();
      assertThat(apply.ensure(configMap(node, "v1"), live)).as("up to date: nothing written").isSameAs(live);

      ConfigMap editedByHand = new ConfigMapBuilder(live).addToData("k", "by-hand").build();
      assertThatThrownBy(() -> apply.ensure(configMap(node, "v1"), editedByHand))
          .as("the same applied hash, but a value another manager changed: it writes")
          .isInstanceOf(KubernetesClientException.class);
    }
  }

  private static ConfigMap configMap(SeiNode owner, String value) {
    return Apply.ownedBy(new ConfigMapBuilder().withNewMetadata().withName("n-config").withNamespace("ns")
        .addToAnnotations("team", "a").endMetadata().addToData("k", value).build(), owner);
  }

  @Test
  void anObjectControlledBySomeoneElseIsNeverTakenOver() {
    SeiNode node = new SeiNode();
    node.setMetadata(new ObjectMetaBuilder().withName("n").withNamespace("ns")
        .withUid("uid-n").build());
    ConfigMap desired = Apply.ownedBy(new ConfigMapBuilder().withNewMetadata().withName("n-config")
        .withNamespace("ns").endMetadata().build(), node);
    ConfigMap foreign = new ConfigMapBuilder().withNewMetadata().withName("n-config").withNamespace("ns")
        .endMetadata().build();

    ConfigMap ownedNotControlled = new ConfigMapBuilder(foreign).editMetadata().addNewOwnerReference()
        .withKind("SeiNode").withName("n").withUid("uid-n").withController(false).endOwnerReference().endMetadata()
        .build();

    try (var client = new KubernetesClientBuilder().build()) {
      Apply apply = new Apply(client, new ControllerMetrics());
      assertThatThrownBy(() -> apply.ensure(desired, foreign))
          .isInstanceOfSatisfying(StepFailed.class, failed -> assertThat(failed.reason()).isEqualTo("NameConflict"))
          .hasMessage("ConfigMap ns/n-config already exists and is not controlled by any owner, so SeiNode n leaves "
              + "it untouched; rename or delete it to let n proceed");
      assertThatThrownBy(() -> apply.ensure(desired, ownedNotControlled)).as("an owner reference without controller")
          .isInstanceOfSatisfying(StepFailed.class, failed -> assertThat(failed.reason()).isEqualTo("NameConflict"));
    }
  }
}
