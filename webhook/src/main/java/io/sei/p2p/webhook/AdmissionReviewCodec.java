package io.sei.p2p.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.sei.p2p.model.JsonPatchOperation;
import io.sei.p2p.validation.FieldProblem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads {@code admission.k8s.io/v1} AdmissionReview requests and writes responses; nothing else. */
final class AdmissionReviewCodec {

  static final String API_VERSION = "admission.k8s.io/v1";
  static final String KIND = "AdmissionReview";

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // deeply nested input must fail as a 400, never as a stack overflow
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    // objects are read after the apiserver pruned them; a field this version does not know must not fail a review
    JSON.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    JSON.addMixIn(ObjectMeta.class, WithoutManagedFields.class);
  }

  /** No rule reads which manager owns which field, and every object carries that record: skipped, never built. */
  @JsonIgnoreProperties("managedFields")
  private interface WithoutManagedFields {
  }

  private AdmissionReviewCodec() {
  }

  /** Thrown for input that is not a usable review; the message is the one-line reason for the 400. */
  static final class MalformedReview extends Exception {
    MalformedReview(String message) {
      super(message);
    }
  }

  static AdmissionRequest decode(byte[] body) throws MalformedReview {
    if (body.length == 0) {
      throw new MalformedReview("empty body: expected an admission.k8s.io/v1 AdmissionReview");
    }
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (IOException e) {
      throw new MalformedReview("body is not valid JSON: " + oneLine(e));
    }
    if (review == null || !review.isObject()) {
      throw new MalformedReview("body is not a JSON object: expected an admission.k8s.io/v1 AdmissionReview");
    }
    if (!API_VERSION.equals(review.path("apiVersion").asText()) || !KIND.equals(review.path("kind").asText())) {
      throw new MalformedReview("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got "
          + describe(review.path("apiVersion")) + " " + describe(review.path("kind")));
    }
    JsonNode request = review.path("request");
    if (!request.isObject()) {
      throw new MalformedReview("the AdmissionReview has no request");
    }
    String uid = request.path("uid").asText("");
    if (!request.path("uid").isTextual() || uid.isEmpty()) {
      throw new MalformedReview("the AdmissionReview request has no uid");
    }
    JsonNode kind = request.path("kind");
    return new AdmissionRequest(uid,
        new AdmissionRequest.GroupKind(kind.path("group").asText(""), kind.path("kind").asText("")),
        request.path("operation").asText(""), request.path("namespace").asText(""),
        request.path("name").asText(""), request.path("object"), request.path("oldObject"),
        userInfo(request.path("userInfo")));
  }

  private static AdmissionRequest.UserInfo userInfo(JsonNode user) {
    List<String> groups = new ArrayList<>();
    user.path("groups").forEach(group -> groups.add(group.asText()));
    Map<String, List<String>> extra = new TreeMap<>();
    user.path("extra").fields().forEachRemaining(entry -> {
      List<String> values = new ArrayList<>();
      entry.getValue().forEach(value -> values.add(value.asText()));
      extra.put(entry.getKey(), values);
    });
    return new AdmissionRequest.UserInfo(user.path("username").asText(""), user.path("uid").asText(""),
        List.copyOf(groups), extra);
  }

  /** Written as it goes, without a tree: every review is answered, so this runs as often as parsing does. */
  static byte[] encode(String uid, AdmissionResponse response) {
    return write(json -> {
      json.writeStartObject();
      json.writeStringField("apiVersion", API_VERSION);
      json.writeStringField("kind", KIND);
      json.writeObjectFieldStart("response");
      json.writeStringField("uid", uid);
      json.writeBooleanField("allowed", response.allowed());
      if (response.code() != null) {
        writeStatus(json, response);
      }
      if (!response.patch().isEmpty()) {
        json.writeStringField("patchType", "JSONPatch");
        json.writeStringField("patch", Base64.getEncoder().encodeToString(write(patch -> {
          patch.writeStartArray();
          for (JsonPatchOperation op : response.patch()) {
            patch.writeStartObject();
            patch.writeStringField("op", op.op());
            patch.writeStringField("path", op.path());
            patch.writeFieldName("value");
            patch.writeTree(op.value());
            patch.writeEndObject();
          }
          patch.writeEndArray();
        })));
      }
      if (!response.warnings().isEmpty()) {
        json.writeArrayFieldStart("warnings");
        for (String warning : response.warnings()) {
          json.writeString(warning);
        }
        json.writeEndArray();
      }
      json.writeEndObject();
      json.writeEndObject();
    });
  }

  /** A {@code metav1.Status}, with the causes kubectl lists under "is invalid". */
  private static void writeStatus(JsonGenerator json, AdmissionResponse response) throws IOException {
    json.writeObjectFieldStart("status");
    json.writeObjectFieldStart("metadata");
    json.writeEndObject();
    json.writeStringField("status", "Failure");
    json.writeStringField("message", response.message());
    json.writeStringField("reason", response.reason());
    json.writeNumberField("code", response.code());
    if (response.invalid() != null) {
      json.writeObjectFieldStart("details");
      json.writeStringField("name", response.invalid().name());
      json.writeStringField("group", response.invalid().group());
      json.writeStringField("kind", response.invalid().kind());
      json.writeArrayFieldStart("causes");
      for (FieldProblem problem : response.invalid().causes()) {
        json.writeStartObject();
        json.writeStringField("reason", "FieldValueInvalid");
        json.writeStringField("message", problem.message());
        json.writeStringField("field", problem.field());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  @FunctionalInterface
  private interface Writing {
    void to(JsonGenerator json) throws IOException;
  }

  private static byte[] write(Writing writing) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
      writing.to(json);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  static <T> T read(JsonNode node, Class<T> type) throws JsonProcessingException {
    return JSON.treeToValue(node, type);
  }

  private static String describe(JsonNode value) {
    return value.isMissingNode() ? "(none)" : value.toString();
  }

  private static String oneLine(IOException e) {
    String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("").trim();
  }
}
