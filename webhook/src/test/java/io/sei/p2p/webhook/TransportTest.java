package io.sei.p2p.webhook;

import static io.sei.p2p.webhook.Reviews.ROUTABLE;
import static io.sei.p2p.webhook.Reviews.fixture;
import static io.sei.p2p.webhook.Reviews.post;
import static io.sei.p2p.webhook.Reviews.recorded;
import static io.sei.p2p.webhook.Reviews.response;
import static io.sei.p2p.webhook.Reviews.service;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input gets a specific status and a one-line reason; never a 500, never a hang. */
class TransportTest {

  private final AdmissionService service = service(ROUTABLE);

  @Test
  void malformedBodiesAre400WithAReason() {
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, new byte[0]), 400, "empty body");
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, fixture("malformed/truncated.json")), 400,
        "body is not valid JSON: Unexpected end-of-input");
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, fixture("malformed/array.json")), 400,
        "body is not a JSON object");
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, fixture("malformed/v1beta1.json")), 400,
        "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got \"admission.k8s.io/v1beta1\"");
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, fixture("malformed/no-request.json")), 400,
        "the AdmissionReview has no request");
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, fixture("malformed/no-uid.json")), 400,
        "the AdmissionReview request has no uid");
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, fixture("malformed/deeply-nested.json")), 400,
        "body is not valid JSON: Document nesting depth");
  }

  @Test
  void wrongContentTypeIs415AndWrongMethod405AndUnknownPath404() {
    byte[] review = recorded("mutate-seinode-legacy");

    assertReply(service.handle(Endpoints.MUTATE_SEINODES, "POST", "text/yaml", review).result(), 415,
        "content type must be application/json, not \"text/yaml\"");
    assertReply(service.handle(Endpoints.MUTATE_SEINODES, "POST", null, review).result(), 415, "content type");
    assertReply(service.handle(Endpoints.MUTATE_SEINODES, "GET", "application/json", review).result(), 405,
        "admission reviews are POSTed");
    assertReply(service.handle("/mutate/pods", "POST", "application/json", review).result(), 404,
        "no admission endpoint at /mutate/pods");
    assertThat(service.handle(Endpoints.MUTATE_SEINODES, "POST", "application/json; charset=utf-8", review).result()
        .status()).isEqualTo(200);
  }

  @Test
  void oversizedBodiesAre413() {
    assertReply(post(service, Endpoints.VALIDATE_SEINODES, new byte[AdmissionService.MAX_BODY_BYTES + 1]), 413,
        "exceeds the limit of 8388608");
    assertThat(post(service, Endpoints.VALIDATE_SEINODES, new byte[AdmissionService.MAX_BODY_BYTES]).status())
        .as("at the limit the body is read (and these zeros are no JSON)").isEqualTo(400);
  }

  @Test
  void everyAnswerIsCountedUnderItsDecisionAndOnlyReadableReviewsAreTapped() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> tapped = new ArrayList<>();
    AdmissionService counted = new AdmissionService(Endpoints.all(ROUTABLE, Reviews.owners(
        new Owner.NotFound("unused")), Reviews.ANYONE), new ReviewMetrics(registry),
        (path, body) -> tapped.add(path));

    counted.handle(Endpoints.MUTATE_SEINODES, "POST", "text/yaml", recorded("mutate-seinode-legacy"));
    post(counted, Endpoints.MUTATE_SEINODES, fixture("malformed/truncated.json"));
    post(counted, Endpoints.MUTATE_SEINODES, recorded("mutate-seinode-legacy"));
    post(counted, Endpoints.VALIDATE_SEINODES, recorded("validate-seinode-bad-name-and-peer"));

    assertThat(reviews(registry, Endpoints.MUTATE_SEINODES, "malformed")).isEqualTo(2);
    assertThat(reviews(registry, Endpoints.MUTATE_SEINODES, "patched")).isEqualTo(1);
    assertThat(reviews(registry, Endpoints.VALIDATE_SEINODES, "denied")).isEqualTo(1);
    assertThat(tapped).as("a body refused for its transport is never tapped")
        .containsExactly(Endpoints.MUTATE_SEINODES, Endpoints.MUTATE_SEINODES, Endpoints.VALIDATE_SEINODES);
  }

  private static long reviews(SimpleMeterRegistry registry, String endpoint, String decision) {
    var timer = registry.find("sei_webhook_reviews").tags("endpoint", endpoint, "decision", decision).timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void aReviewSentToTheWrongEndpointIsDeniedLoudly() {
    JsonNode response = response(post(service, Endpoints.VALIDATE_STATEFULSETS, recorded("mutate-seinode-legacy")));

    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.at("/status/code").asInt()).isEqualTo(400);
    assertThat(response.at("/status/message").asText()).isEqualTo("/validate/statefulsets serves StatefulSet.apps "
        + "CREATE, not SeiNode.sei.io CREATE; check the webhook configuration's rules");
  }

  @Test
  void anObjectMissingWhatTheApiserverAlwaysSetsIsDenied400NamingTheField() throws Exception {
    ObjectNode nameless = (ObjectNode) Reviews.JSON.readTree(recorded("validate-seinode-update-keeps-tcp"));
    ((ObjectNode) nameless.at("/request/object/metadata")).remove("name");
    ObjectNode templateless = (ObjectNode) Reviews.JSON.readTree(recorded("validate-seinodedeployment-tcp-create"));
    ObjectNode old = (ObjectNode) templateless.at("/request/object").deepCopy();
    ((ObjectNode) old.path("spec")).remove("template");
    ((ObjectNode) templateless.path("request")).put("operation", "UPDATE").set("oldObject", old);

    JsonNode noName = response(post(service, Endpoints.VALIDATE_SEINODES, nameless.toString().getBytes(UTF_8)));
    JsonNode noTemplate = response(post(service, Endpoints.VALIDATE_SEINODEDEPLOYMENTS,
        templateless.toString().getBytes(UTF_8)));

    assertThat(noName.path("allowed").asBoolean()).isFalse();
    assertThat(noName.at("/status/code").asInt()).isEqualTo(400);
    assertThat(noName.at("/status/message").asText()).isEqualTo("the request's object.metadata.name is missing; "
        + "the apiserver always sets it for a SeiNode, so this review did not come from one");
    assertThat(noTemplate.at("/status/code").asInt()).isEqualTo(400);
    assertThat(noTemplate.at("/status/message").asText()).startsWith("the request's oldObject.spec.template is "
        + "missing;");
  }

  @Test
  void anAdmitterThatFailsStillAnswersInsideTheReview() {
    AdmissionService broken = service(ROUTABLE, new OwnerLookup() {
      @Override
      public io.vertx.core.Future<Owner> find(String namespace, String name) {
        throw new IllegalStateException("boom");
      }

      @Override
      public boolean ready() {
        return true;
      }
    });
    byte[] review = recorded("validate-statefulset-held");

    HttpReply reply = post(broken, Endpoints.VALIDATE_STATEFULSETS, review);

    assertThat(reply.status()).isEqualTo(200);
    JsonNode response = response(reply);
    assertThat(response.path("uid").asText()).isEqualTo(Reviews.uidOf(review));
    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.at("/status/code").asInt()).isEqualTo(500);
  }

  private static void assertReply(HttpReply reply, int status, String reasonStart) {
    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("text/plain");
    String text = new String(reply.body(), StandardCharsets.UTF_8);
    assertThat(text).contains(reasonStart);
    assertThat(text.strip().lines()).as("one line").hasSize(1);
  }
}
