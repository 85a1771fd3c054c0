package io.sei.p2p.webhook;

import static io.sei.p2p.webhook.Reviews.JSON;
import static io.sei.p2p.webhook.Reviews.ROUTABLE;
import static io.sei.p2p.webhook.Reviews.UNCONFIGURED;
import static io.sei.p2p.webhook.Reviews.node;
import static io.sei.p2p.webhook.Reviews.owners;
import static io.sei.p2p.webhook.Reviews.patch;
import static io.sei.p2p.webhook.Reviews.post;
import static io.sei.p2p.webhook.Reviews.recorded;
import static io.sei.p2p.webhook.Reviews.response;
import static io.sei.p2p.webhook.Reviews.service;
import static io.sei.p2p.webhook.Reviews.uidOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Replays AdmissionReviews recorded from the real apiserver and checks the exact answer. */
class ReviewReplayTest {

  private static final String REFUSAL = "this cluster cannot publish nodes over tcp: SEI_VPC_CIDR is not configured. "
      + "Remove spec.networking.tcp, or run the sei-p2p webhook and controller with SEI_VPC_CIDR set to the VPC CIDRs "
      + "that contain the pod IPs (or SEI_NLB_TARGET_TYPE=instance)";

  @Test
  void legacySeiNodeNetworkingGetsExactlyOneAddOperation() throws Exception {
    byte[] review = recorded("mutate-seinode-legacy");
    HttpReply reply = post(service(ROUTABLE), Endpoints.MUTATE_SEINODES, review);

    assertThat(reply.status()).isEqualTo(200);
    JsonNode response = response(reply);
    assertThat(response.path("uid").asText()).isEqualTo(uidOf(review));
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    assertThat(patch(response)).isEqualTo(JSON.readTree("[{\"op\":\"add\",\"path\":\"/spec/networking/http\",\"value\":{}}]"));
  }

  @Test
  void defaultingItsOwnOutputChangesNothing() throws Exception {
    ObjectNode review = (ObjectNode) JSON.readTree(recorded("mutate-seinode-legacy"));
    ((ObjectNode) review.at("/request/object/spec/networking")).putObject("http");

    JsonNode response = response(post(service(ROUTABLE), Endpoints.MUTATE_SEINODES, JSON.writeValueAsBytes(review)));

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.has("patchType")).isFalse();
  }

  @Test
  void legacyDeploymentNetworkingIsDefaultedAtBothBlocks() throws Exception {
    JsonNode response = response(post(service(ROUTABLE), Endpoints.MUTATE_SEINODEDEPLOYMENTS,
        recorded("mutate-seinodedeployment-legacy")));

    assertThat(patch(response)).isEqualTo(JSON.readTree("""
        [{"op":"add","path":"/spec/networking/http","value":{}},
         {"op":"add","path":"/spec/template/spec/networking/http","value":{}}]"""));
  }

  @Test
  void explicitNetworkingIsNotPatched() {
    JsonNode response = response(post(service(ROUTABLE), Endpoints.MUTATE_SEINODES, recorded("mutate-seinode-tcp")));

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
  }

  @Test
  void tcpCreateIsDeniedAsInvalidOnANonRoutableClusterAndAllowedOnARoutableOne() throws Exception {
    byte[] review = recorded("validate-seinode-tcp-create");

    JsonNode denied = response(post(service(UNCONFIGURED), Endpoints.VALIDATE_SEINODES, review));
    assertThat(denied.path("allowed").asBoolean()).isFalse();
    assertThat(denied.path("status")).isEqualTo(JSON.readTree("""
        {"metadata":{},"status":"Failure","code":422,"reason":"Invalid",
         "message":"SeiNode \\"public\\" is invalid: spec.networking.tcp: %1$s",
         "details":{"name":"public","group":"sei.io","kind":"SeiNode",
           "causes":[{"reason":"FieldValueInvalid","field":"spec.networking.tcp","message":"%1$s"}]}}
        """.formatted(REFUSAL)));

    JsonNode allowed = response(post(service(ROUTABLE), Endpoints.VALIDATE_SEINODES, review));
    assertThat(allowed.path("allowed").asBoolean()).isTrue();
    assertThat(allowed.has("status")).isFalse();
  }

  @Test
  void deploymentTcpIsDeniedAtBothBlocks() {
    JsonNode denied = response(post(service(UNCONFIGURED), Endpoints.VALIDATE_SEINODEDEPLOYMENTS,
        recorded("validate-seinodedeployment-tcp-create")));

    assertThat(denied.at("/status/details/kind").asText()).isEqualTo("SeiNodeDeployment");
    assertThat(denied.at("/status/details/causes")).extracting(cause -> cause.path("field").asText())
        .containsExactly("spec.networking.tcp", "spec.template.spec.networking.tcp");
  }

  @Test
  void updatesRatchet() {
    JsonNode adding = response(post(service(UNCONFIGURED), Endpoints.VALIDATE_SEINODES,
        recorded("validate-seinode-update-adds-tcp")));
    assertThat(adding.path("allowed").asBoolean()).isFalse();
    assertThat(adding.at("/status/code").asInt()).isEqualTo(422);
    assertThat(adding.at("/status/details/causes")).singleElement().satisfies(cause -> {
      assertThat(cause.path("field").asText()).isEqualTo("spec.networking.tcp");
      assertThat(cause.path("message").asText()).isEqualTo(REFUSAL);
    });

    JsonNode keeping = response(post(service(UNCONFIGURED), Endpoints.VALIDATE_SEINODES,
        recorded("validate-seinode-update-keeps-tcp")));
    assertThat(keeping.path("allowed").asBoolean()).isTrue();
    assertThat(keeping.path("warnings")).extracting(JsonNode::asText)
        .containsExactly("spec.networking.tcp kept, but this cluster cannot publish: SEI_VPC_CIDR is not configured");
  }

  @Test
  void aNodeNamingSecretsItsAuthorCannotReadIsDeniedAndAFailedCheckFailsClosed() throws Exception {
    byte[] review = recorded("validate-seinode-unreadable-secrets");
    String ns = JSON.readTree(review).at("/request/namespace").asText();
    List<String> asked = new CopyOnWriteArrayList<>();
    SecretAccess nobody = (user, namespace, secret) -> {
      asked.add(user.username() + " " + user.groups() + " " + namespace + "/" + secret);
      return Future.succeededFuture(false);
    };

    JsonNode denied = response(post(service(ROUTABLE, owners(new Owner.NotFound("unused")), nobody),
        Endpoints.VALIDATE_SEINODES, review));

    assertThat(denied.path("allowed").asBoolean()).isFalse();
    assertThat(denied.at("/status/code").asInt()).isEqualTo(422);
    assertThat(denied.at("/status/details/causes")).extracting(cause -> cause.path("field").asText())
        .containsExactly("spec.validator.nodeKey.secret.secretName", "spec.validator.signingKey.secret.secretName");
    assertThat(denied.at("/status/details/causes/0/message").asText()).isEqualTo("user alice cannot get Secret "
        + ns + "/their-key, and the node's pod would hold it: reference a Secret you can read, or have get on this "
        + "one granted");
    assertThat(asked).as("asked for the requesting user, as the apiserver authenticated them")
        .containsExactlyInAnyOrder("alice [system:authenticated] " + ns + "/their-key",
            "alice [system:authenticated] " + ns + "/sign-key");

    SecretAccess broken = (user, namespace, secret) -> Future.failedFuture(new IllegalStateException("no answer"));
    JsonNode unchecked = response(post(service(ROUTABLE, owners(new Owner.NotFound("unused")), broken),
        Endpoints.VALIDATE_SEINODES, review));
    assertThat(unchecked.path("allowed").asBoolean()).as("fails closed").isFalse();
    assertThat(unchecked.at("/status/details/causes/0/message").asText())
        .isEqualTo("could not check whether you may read Secret " + ns + "/their-key (no answer); try again");

    assertThat(response(post(service(ROUTABLE), Endpoints.VALIDATE_SEINODES, review)).path("allowed").asBoolean())
        .as("allowed when the user may read them").isTrue();
  }

  @Test
  void everyProblemIsOneCause() {
    JsonNode denied = response(post(service(ROUTABLE), Endpoints.VALIDATE_SEINODES,
        recorded("validate-seinode-bad-name-and-peer")));

    assertThat(denied.at("/status/details/causes")).extracting(cause -> cause.path("field").asText())
        .containsExactly("metadata.name", "spec.peers[0].static.addresses[0]");
    assertThat(denied.at("/status/message").asText())
        .startsWith("SeiNode \"validator-with-a-name-far-too-long-for-its-load-balancer-svc\" is invalid: metadata.name: ")
        .contains("; spec.peers[0].static.addresses[0]: \"peer.example.com:26656\" has no node ID");
  }

  @Test
  void theGateHoldsAnUnpublishedTcpNodeAndFailsClosedWhenItCannotCheck() {
    byte[] review = recorded("validate-statefulset-held");
    String namespace = request(review).path("namespace").asText();

    JsonNode held = response(post(service(ROUTABLE, owners(new Owner.Found(
        node("{\"metadata\":{\"name\":\"gated\"},\"spec\":{\"networking\":{\"tcp\":{}}}}")))),
        Endpoints.VALIDATE_STATEFULSETS, review));
    assertThat(held.path("allowed").asBoolean()).isFalse();
    assertThat(held.at("/status/code").asInt()).isEqualTo(403);
    assertThat(held.at("/status/reason").asText()).isEqualTo("Forbidden");
    assertThat(held.at("/status/message").asText()).isEqualTo("StatefulSet " + namespace + "/gated is held: SeiNode "
        + "gated publishes P2P over tcp but status.externalAddress is not set yet (waiting for its load balancer)");

    JsonNode unknown = response(post(service(ROUTABLE, owners(new Owner.Unknown("gated", "API error 503: unavailable"))),
        Endpoints.VALIDATE_STATEFULSETS, review));
    assertThat(unknown.path("allowed").asBoolean()).isFalse();
    assertThat(unknown.at("/status/message").asText()).contains("could not be checked (API error 503: unavailable)");
  }

  @Test
  void theGateLetsAPublishedNodeThrough() {
    JsonNode allowed = response(post(service(ROUTABLE, owners(new Owner.Found(node("""
            {"metadata":{"name":"gated"},"spec":{"networking":{"tcp":{}}},
             "status":{"externalAddress":"gated-0123.elb.us-east-2.amazonaws.com:26656"}}""")))),
        Endpoints.VALIDATE_STATEFULSETS, recorded("validate-statefulset-published")));

    assertThat(allowed.path("allowed").asBoolean()).isTrue();
  }

  private static JsonNode request(byte[] review) {
    try {
      return JSON.readTree(review).path("request");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
