package io.sei.p2p.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.net.Routability;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test helpers: fixtures, a fake owner lookup, and reading what the service answered. */
final class Reviews {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Routability ROUTABLE = new Routability(true, "pod IP 10.0.3.7 is inside VPC CIDR 10.0.0.0/16");
  static final Routability UNCONFIGURED = new Routability(false, "SEI_VPC_CIDR is not configured");

  private Reviews() {
  }

  static byte[] fixture(String name) {
    try (InputStream in = Reviews.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] recorded(String name) {
    return fixture("reviews/" + name + ".json");
  }

  /** The five admission paths. */
  static final List<String> PATHS = List.of(Endpoints.MUTATE_SEINODES, Endpoints.MUTATE_SEINODEDEPLOYMENTS,
      Endpoints.VALIDATE_SEINODES, Endpoints.VALIDATE_SEINODEDEPLOYMENTS, Endpoints.VALIDATE_STATEFULSETS);

  /**
   * Every recorded review by name, with the path the apiserver sent it to: a review is named after its path in the
   * singular ({@code /validate/seinodes} gives {@code validate-seinode-<case>}).
   */
  static Map<String, String> allRecorded() {
    Map<String, String> paths = new TreeMap<>();
    try (Stream<Path> files = Files.list(Path.of(Reviews.class.getResource("/reviews").toURI()))) {
      for (String file : files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).toList()) {
        String name = file.substring(0, file.length() - ".json".length());
        paths.put(name, PATHS.stream()
            .filter(path -> name.startsWith(path.substring(1).replace('/', '-').replaceAll("s$", "") + "-"))
            .findFirst().orElseThrow(() -> new IllegalStateException("no path for recorded review " + name)));
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return paths;
  }

  static String uidOf(byte[] review) {
    try {
      return JSON.readTree(review).path("request").path("uid").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every user may read every Secret. */
  static final SecretAccess ANYONE = (user, namespace, secret) -> Future.succeededFuture(true);

  static AdmissionService service(Routability cluster, OwnerLookup owners) {
    return service(cluster, owners, ANYONE);
  }

  static AdmissionService service(Routability cluster, OwnerLookup owners, SecretAccess secrets) {
    return new AdmissionService(Endpoints.all(cluster, owners, secrets), new ReviewMetrics(new SimpleMeterRegistry()),
        AdmissionService.ReviewTap.NONE);
  }

  static AdmissionService service(Routability cluster) {
    return service(cluster, owners(new Owner.NotFound("unused")));
  }

  /** A lookup that always finds {@code owner}. */
  static OwnerLookup owners(Owner owner) {
    return new OwnerLookup() {
      @Override
      public Future<Owner> find(String namespace, String name) {
        return Future.succeededFuture(owner);
      }

      @Override
      public boolean ready() {
        return true;
      }
    };
  }

  static SeiNode node(String json) {
    return new KubernetesSerialization().unmarshal(json, SeiNode.class);
  }

  static HttpReply post(AdmissionService service, String path, byte[] body) {
    return service.handle(path, "POST", "application/json", body).result();
  }

  /** The {@code response} of a review reply. */
  static JsonNode response(HttpReply reply) {
    try {
      return JSON.readTree(reply.body()).path("response");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode patch(JsonNode response) {
    try {
      return JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
