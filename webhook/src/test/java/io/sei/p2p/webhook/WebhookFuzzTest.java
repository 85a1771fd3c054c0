package io.sei.p2p.webhook;

import static io.sei.p2p.webhook.Reviews.JSON;
import static io.sei.p2p.webhook.Reviews.ROUTABLE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sei.p2p.certs.CertificateAuthority;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated AdmissionReviews, model-shaped and then mutated (types swapped, nesting deepened, strings made huge or
 * exotic, nulls, duplicate keys, fields dropped, bodies cut), sent through the HTTPS server as the apiserver sends
 * them. None may be answered 500 or with an unreadable review, and every decision must be what the shared rules and
 * the in-process service say. {@code -Dwebhook.fuzz.reviews=N} sets how many (default 100,000).
 */
@ExtendWith(VertxExtension.class)
class WebhookFuzzTest {

  private static final int REVIEWS = Integer.getInteger("webhook.fuzz.reviews", 100_000);
  private static final CertificateAuthority CA = CertificateAuthority.create("fuzz-ca", Duration.ofDays(1),
      Clock.systemUTC());
  private static final KubernetesSerialization MODEL = new KubernetesSerialization();

  @TempDir
  Path tls;

  @Test
  void noGeneratedReviewIsAnswered500OrUnreadablyAndEveryWellFormedOneIsDecidedAsExpected(Vertx vertx) throws Exception {
    IssuedCertificate serving = CA.issueServing("fuzz", List.of("127.0.0.1"), Duration.ofHours(1));
    Files.writeString(tls.resolve("tls.crt"), serving.certificatePem());
    Files.writeString(tls.resolve("tls.key"), serving.privateKeyPem());
    OwnerLookup owners = Reviews.owners(new Owner.NotFound("fuzzed"));
    AdmissionService inProcess = Reviews.service(ROUTABLE, owners);
    WebhookServer server = WebhookServer.start(vertx, WebhookConfig.fromEnv(Map.of("WEBHOOK_PORT", "0",
            "HEALTH_PORT", "0", "TLS_CERT_FILE", tls.resolve("tls.crt").toString(),
            "TLS_KEY_FILE", tls.resolve("tls.key").toString(), "SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7")),
        inProcess, owners::ready, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    HttpClient client = client();
    Random random = new Random(20261126);
    int sent = 0;
    int expectationsChecked = 0;
    List<String> internalErrors = new ArrayList<>();
    try {
      for (Review review : (Iterable<Review>) reviews().sampleStream().limit(REVIEWS)::iterator) {
        byte[] body = mutate(review.body(), random);
        HttpResponse<byte[]> reply = client.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.httpsPort() + review.path() + "?timeout=5s"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        HttpReply expected = Reviews.post(inProcess, review.path(), body);
        String context = review.path() + " " + new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8);

        assertThat(reply.statusCode()).as(context).isNotEqualTo(500).isEqualTo(expected.status());
        if (reply.statusCode() == 200) {
          JsonNode answer = JSON.readTree(reply.body()).path("response");
          assertThat(answer.path("uid").asText()).as(context).isNotEmpty();
          // a rule that throws is a defect even when the review is answered: 500 inside it, or defaulting skipped
          if (answer.at("/status/code").asInt() == 500 || answer.path("warnings").toString()
              .contains("defaulting was skipped")) {
            internalErrors.add(context);
          }
          assertThat(answer.path("allowed").asBoolean()).as(context)
              .isEqualTo(Reviews.response(expected).path("allowed").asBoolean());
          if (review.expected() != null && body == review.body()) {
            expectationsChecked++;
            assertAsExpected(review.path(), review.expected(), answer, context);
          }
        }
        sent++;
      }
    } finally {
      server.shutdown(Duration.ZERO, Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    }
    System.out.printf("webhook fuzz: %d reviews over HTTPS, none answered 500; %d decisions, causes and patches "
        + "checked against the expectation the generator wrote%n", sent, expectationsChecked);
    assertThat(internalErrors).as("reviews the webhook failed while judging").isEmpty();
    assertThat(sent).isEqualTo(REVIEWS);
    assertThat(expectationsChecked).as("enough reviews reach the webhook unmutated to check their expectation")
        .isGreaterThan(REVIEWS / 10);
  }

  /**
   * The answer to a well-formed review, compared with what its generator expected: the decision, the fields the
   * refusal names (as kubectl lists them), and the defaulting patch.
   */
  private static void assertAsExpected(String path, Expected expected, JsonNode answer, String context) {
    if (path.startsWith("/mutate/")) {
      assertThat(answer.path("allowed").asBoolean()).as("mutation never refuses: " + context).isTrue();
      List<String> patched = new ArrayList<>();
      if (answer.has("patch")) {
        for (JsonNode operation : Reviews.patch(answer)) {
          assertThat(operation.path("op").asText()).as(context).isEqualTo("add");
          assertThat(operation.path("value")).as(context).isEqualTo(JsonNodeFactory.instance.objectNode());
          patched.add(operation.path("path").asText());
        }
      }
      assertThat(patched).as("the defaulting patch: " + context).containsExactlyInAnyOrderElementsOf(expected.patch());
      return;
    }
    List<String> causes = new ArrayList<>();
    answer.at("/status/details/causes").forEach(cause -> {
      assertThat(cause.path("message").asText()).as(context).isNotBlank();
      causes.add(cause.path("field").asText());
    });
    assertThat(causes).as("the fields the refusal names: " + context)
        .containsExactlyInAnyOrderElementsOf(expected.causes());
    assertThat(answer.path("allowed").asBoolean()).as("the decision: " + context).isEqualTo(expected.causes().isEmpty());
  }

  /** A generated review, and what a correct webhook answers it when it arrives unmutated (null: not written). */
  private record Review(String path, byte[] body, Expected expected) {
  }

  /** The fields a refusal names (none: allowed), and the paths the defaulting patch adds {@code {}} at. */
  private record Expected(List<String> causes, List<String> patch) {
  }

  /** A generated object, with what a validating and a mutating path should answer on its CREATE. */
  private record Generated(ObjectNode object, Expected onCreate) {
  }

  private static Arbitrary<Review> reviews() {
    Arbitrary<String> operations = Arbitraries.frequencyOf(
        Tuple.of(9, Arbitraries.just("CREATE")), Tuple.of(9, Arbitraries.just("UPDATE")),
        Tuple.of(1, Arbitraries.just("DELETE")), Tuple.of(1, Arbitraries.just("CONNECT")));
    return Arbitraries.of(Reviews.PATHS).flatMap(path -> Combinators.combine(objects(path), operations,
            Arbitraries.integers().between(0, 9), Arbitraries.strings().alpha().ofLength(12))
        .as((generated, operation, shape, uid) -> {
          ObjectNode object = generated.object();
          ObjectNode review = JsonNodeFactory.instance.objectNode().put("apiVersion", "admission.k8s.io/v1")
              .put("kind", "AdmissionReview");
          ObjectNode request = review.putObject("request").put("uid", uid).put("operation", operation)
              .put("namespace", "ns").put("name", object.at("/metadata/name").asText());
          String kind = object.path("kind").asText();
          request.putObject("kind").put("group", kind.equals("StatefulSet") ? "apps" : "sei.io").put("kind", kind)
              .put("version", kind.equals("StatefulSet") ? "v1" : "v1alpha1");
          request.set("object", object);
          if (operation.equals("UPDATE") || shape < 2) {
            request.set("oldObject", object.deepCopy());
          }
          request.putObject("userInfo").put("username", "fuzzer").putArray("groups").add("system:authenticated");
          return new Review(path, review.toString().getBytes(StandardCharsets.UTF_8),
              expectation(path, kind, operation, shape, generated.onCreate()));
        }));
  }

  /**
   * What a correct webhook answers: for the kind a path serves, on CREATE without an old object, what the object's
   * generator expected; on UPDATE from an identical object, the same patch and no refusal (a problem the object
   * already had is never a reason to refuse it). Null where this test writes no expectation.
   */
  private static Expected expectation(String path, String kind, String operation, int shape, Expected onCreate) {
    boolean served = path.endsWith(kind.toLowerCase() + "s");
    if (!served || onCreate == null) {
      return null;
    }
    if (operation.equals("CREATE") && shape >= 2) {
      return onCreate;
    }
    return operation.equals("UPDATE") ? new Expected(List.of(), onCreate.patch()) : null;
  }

  /** Mostly the kind {@code path} serves, sometimes another (a misregistration). */
  private static Arbitrary<Generated> objects(String path) {
    String served = path.endsWith("seinodedeployments") ? "SeiNodeDeployment"
        : path.endsWith("seinodes") ? "SeiNode" : "StatefulSet";
    Arbitrary<String> kinds = Arbitraries.frequencyOf(Tuple.of(17, Arbitraries.just(served)),
        Tuple.of(3, Arbitraries.of("SeiNode", "SeiNodeDeployment", "StatefulSet")));
    Arbitrary<String> names = Arbitraries.strings().withChars("abc-0123456789").ofMinLength(1).ofMaxLength(70);
    Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30),
        Arbitraries.of("", "x:26656", VALID_STATIC, "\u0000", "\ud83d\ude80", "[::1]:26656", "us-east-2", "sentry"));
    Arbitrary<String> networkings = Arbitraries.of("{}", "{\"http\":{}}", "{\"tcp\":{}}", "{\"http\":{},\"tcp\":{}}");
    Arbitrary<List<Tuple.Tuple2<String, String>>> peers = Combinators.combine(Arbitraries.of("static", "label",
        "seinodeDeployment", "ec2Tags"), text).as(Tuple::of).list().ofMaxSize(3);
    Arbitrary<String> modes = Arbitraries.of("fullNode", "archive", "validator");
    return Combinators.combine(kinds, names, text, networkings, peers, modes, networkings)
        .as((kind, name, chain, networking, peerList, mode, deploymentNetworking) -> {
          ObjectNode spec = JsonNodeFactory.instance.objectNode().put("chainId", chain).put("image", "seid");
          spec.set("networking", tree(networking));
          ArrayNode peerArray = spec.putArray("peers");
          peerList.forEach(peer -> peerArray.add(peerSource(peer.get1(), peer.get2())));
          spec.putObject(mode);
          ObjectNode object = JsonNodeFactory.instance.objectNode().put("kind", kind);
          ObjectNode metadata = object.putObject("metadata").put("name", name).put("namespace", "ns");
          switch (kind) {
            case "SeiNode" -> {
              object.put("apiVersion", "sei.io/v1alpha1").set("spec", spec);
              return new Generated(object, new Expected(
                  causes(derivedNamesValid(name) ? null : "metadata.name", peerList, "spec.peers"),
                  networking.equals("{}") ? List.of("/spec/networking/http") : List.of()));
            }
            case "SeiNodeDeployment" -> {
              ObjectNode deploymentSpec = object.put("apiVersion", "sei.io/v1alpha1").putObject("spec")
                  .put("replicas", 3);
              deploymentSpec.set("networking", tree(deploymentNetworking));
              deploymentSpec.putObject("template").set("spec", spec);
              List<String> patch = new ArrayList<>();
              if (deploymentNetworking.equals("{}")) {
                patch.add("/spec/networking/http");
              }
              if (networking.equals("{}")) {
                patch.add("/spec/template/spec/networking/http");
              }
              // the longest-named child is <name>-2 with 3 replicas
              return new Generated(object, new Expected(causes(derivedNamesValid(name + "-2") ? null
                  : "metadata.name", peerList, "spec.template.spec.peers"), patch));
            }
            default -> {
              object.put("apiVersion", "apps/v1");
              metadata.putObject("labels").put("sei.io/node", name);
              metadata.putArray("ownerReferences").addObject().put("apiVersion", "sei.io/v1alpha1")
                  .put("kind", "SeiNode").put("name", name).put("controller", true).put("uid", "u");
              return new Generated(object, null);
            }
          }
        });
  }

  // The expectations below restate the specification (SPEC.md, README's fields) in their own words; they share no
  // code with the rules the webhook runs.

  private static final String VALID_STATIC = "0123456789abcdef0123456789abcdef01234567@peer.example.com:26656";

  private static JsonNode peerSource(String member, String value) {
    return tree(switch (member) {
      case "static" -> "{\"static\":{\"addresses\":[" + JSON.valueToTree(value) + "]}}";
      case "ec2Tags" -> "{\"ec2Tags\":{\"region\":" + JSON.valueToTree(value) + ",\"tags\":{\"k\":\"v\"}}}";
      default -> "{\"" + member + "\":{\"selector\":{\"k\":" + JSON.valueToTree(value) + "}}}";
    });
  }

  /** The refusal's fields: the name's, if any, then one per peer source whose value is not what its member takes. */
  private static List<String> causes(String nameCause, List<Tuple.Tuple2<String, String>> peers, String field) {
    List<String> causes = new ArrayList<>();
    if (nameCause != null) {
      causes.add(nameCause);
    }
    for (int i = 0; i < peers.size(); i++) {
      String member = peers.get(i).get1();
      String value = peers.get(i).get2();
      String at = field + "[" + i + "]";
      switch (member) {
        case "static" -> {
          if (!value.equals(VALID_STATIC)) {
            causes.add(at + ".static.addresses[0]");
          }
        }
        case "ec2Tags" -> {
          if (!value.equals("us-east-2")) {
            causes.add(at + ".ec2Tags.region"); // no other generated value is a region code
          }
        }
        default -> {
          if (!labelValueValid(value)) {
            causes.add(at + "." + member + ".selector");
          }
        }
      }
    }
    return causes;
  }

  /**
   * A node's Service and StatefulSet ({@code <name>}), NLB Service ({@code <name>-p2p}) and pod ({@code <name>-0})
   * are DNS-1035 labels: a lowercase letter, then lowercase letters, digits and hyphens, not ending in a hyphen, at
   * most 63 characters; {@code -p2p} makes the name's own limit 59.
   */
  private static boolean derivedNamesValid(String name) {
    if (name.isEmpty() || name.length() + "-p2p".length() > 63 || name.charAt(0) < 'a' || name.charAt(0) > 'z'
        || name.endsWith("-")) {
      return false;
    }
    return name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }

  /** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', beginning and ending alphanumeric. */
  private static boolean labelValueValid(String value) {
    if (value.isEmpty()) {
      return true;
    }
    boolean allowed = value.length() <= 63 && value.chars().allMatch(c -> c < 128
        && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'));
    return allowed && Character.isLetterOrDigit(value.charAt(0)) && Character.isLetterOrDigit(
        value.charAt(value.length() - 1));
  }

  /** Mutates a review: often not at all, else in one of the ways a broken or hostile client would. */
  private static byte[] mutate(byte[] body, Random random) throws Exception {
    int choice = random.nextInt(20);
    if (choice < 8) {
      return body;
    }
    String text = new String(body, StandardCharsets.UTF_8);
    return switch (choice) {
      case 8 -> cut(body, random);
      case 9 -> text.replaceFirst("\"uid\":\"", "\"uid\":\"x\",\"uid\":\"").getBytes(StandardCharsets.UTF_8);
      case 10 -> ("[" .repeat(2000) + "]".repeat(2000)).getBytes(StandardCharsets.UTF_8);
      default -> {
        ObjectNode tree = (ObjectNode) JSON.readTree(body);
        mutateTree(tree, random);
        yield JSON.writeValueAsBytes(tree);
      }
    };
  }

  private static byte[] cut(byte[] body, Random random) {
    byte[] cut = new byte[random.nextInt(body.length)];
    System.arraycopy(body, 0, cut, 0, cut.length);
    return cut;
  }

  /** Replaces one value anywhere in the tree: a type swap, a null, a huge or exotic string, deep nesting, or removal. */
  private static void mutateTree(ObjectNode root, Random random) {
    ObjectNode parent = root;
    String field = null;
    JsonNode current = root;
    for (int depth = 0; depth < 8 && current.isObject() && current.size() > 0; depth++) {
      parent = (ObjectNode) current;
      List<String> names = iterate(parent);
      field = names.get(random.nextInt(names.size()));
      current = parent.get(field);
    }
    if (field == null) {
      return;
    }
    switch (random.nextInt(7)) {
      case 0 -> parent.remove(field);
      case 1 -> parent.putNull(field);
      case 2 -> parent.put(field, random.nextLong());
      case 3 -> parent.put(field, "\ud83d\ude80\u202e\u0000\"\\".repeat(1 + random.nextInt(50)));
      case 4 -> parent.put(field, "x".repeat(random.nextInt(20) == 0 ? random.nextInt(1_000_000) : 10_000));
      case 5 -> {
        ArrayNode nested = parent.putArray(field);
        for (int i = 0; i < 200; i++) {
          nested = nested.addArray();
        }
      }
      default -> parent.set(field, current.isArray() ? JsonNodeFactory.instance.objectNode()
          : JsonNodeFactory.instance.arrayNode().add(current));
    }
  }

  private static List<String> iterate(ObjectNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpClient client() throws Exception {
    SSLContext ssl = CA.clientContext("TLS");
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build();
  }
}
