package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the AdmissionReview bodies that the real apiserver sent in the webhook's tests, to compare them with the
 * webhook module's recorded fixtures: a change of the model, the CRDs or the apiserver that the fixtures no longer
 * show is found. With {@code -Dsei.record.reviews=<folder>} it also writes them there as new fixtures (see the
 * webhook module's reviews README).
 */
public final class ReviewRecorder {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** What differs from run to run: identities, versions, times, the client certificate of this control plane. */
  private static final Set<String> VOLATILE = Set.of("uid", "resourceVersion", "creationTimestamp", "time",
      "authentication.kubernetes.io/credential-id");
  private static final Map<String, JsonNode> RECORDED = new ConcurrentHashMap<>();

  private ReviewRecorder() {
  }

  /** Keeps the last review {@code webhook} received at {@code path} as {@code <name>}. */
  public static void record(LocalWebhook webhook, String path, String name) {
    List<byte[]> seen = webhook.reviews(path);
    if (seen.isEmpty()) {
      throw new IllegalStateException("no review arrived at " + path + " to record as " + name);
    }
    try {
      JsonNode review = JSON.readTree(seen.get(seen.size() - 1));
      RECORDED.put(name, review);
      String folder = System.getProperty("sei.record.reviews");
      if (folder != null && !folder.isBlank()) {
        JSON.writeValue(Files.createDirectories(Path.of(folder)).resolve(name + ".json").toFile(), review);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The recorded reviews that differ from their fixture in {@code fixtures} once what varies from run to run is set
   * aside (identities, versions, times, the test namespace's name): name → why.
   */
  public static Map<String, String> drift(Path fixtures) {
    Map<String, String> drifted = new TreeMap<>();
    RECORDED.forEach((name, review) -> {
      Path file = fixtures.resolve(name + ".json");
      try {
        if (!Files.exists(file)) {
          drifted.put(name, "no fixture " + file);
        } else if (!normalized(review).equals(normalized(JSON.readTree(file.toFile())))) {
          drifted.put(name, "differs from " + file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return drifted;
  }

  private static JsonNode normalized(JsonNode review) throws IOException {
    String namespace = review.at("/request/namespace").asText();
    JsonNode copy = JSON.readTree(JSON.writeValueAsString(review).replace(namespace, "NAMESPACE"));
    blank(copy);
    return copy;
  }

  private static void blank(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.fieldNames().forEachRemaining(field -> {
        if (VOLATILE.contains(field) && (object.get(field).isValueNode() || object.get(field).isArray())) {
          object.put(field, "*");
        }
      });
    }
    node.forEach(ReviewRecorder::blank);
  }
}
