package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** The apiserver's audit log, read back: who asked for what, and what the apiserver answered. */
public final class AuditLog {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");

  private AuditLog() {
  }

  /**
   * One request. {@code user} is the impersonated user when there is one (tests act as ServiceAccounts that way),
   * else the authenticated one; {@code resource} includes the subresource ({@code seinodes/status}).
   */
  public record Request(Instant at, String user, String userAgent, String verb, String resource, String namespace,
      String name, int code, String message) {

    /**
     * Whether it changed (or tried to change) stored state. Reviews (SelfSubjectRulesReview, ...) ask a question
     * and store nothing; Leases are leader-election renewals, not work.
     */
    public boolean isWrite() {
      return WRITE_VERBS.contains(verb) && !resource.endsWith("reviews") && !resource.startsWith("leases");
    }
  }

  /** The requests of {@code user} received after {@code since} that {@code filter} accepts. */
  public static List<Request> requests(Path log, String user, Instant since, Predicate<Request> filter) {
    List<Request> requests = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(log)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.contains(user)) {
          continue; // most lines are someone else's; skip them before parsing
        }
        Request request = parse(JSON.readTree(line));
        if (request.user().equals(user) && request.at().isAfter(since) && filter.test(request)) {
          requests.add(request);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return requests;
  }

  /** The writes of {@code user} after {@code since}. */
  public static List<Request> writes(Path log, String user, Instant since) {
    return requests(log, user, since, Request::isWrite);
  }

  /** The username a process acting as ServiceAccount {@code namespace/name} has. */
  public static String serviceAccount(String namespace, String name) {
    return "system:serviceaccount:" + namespace + ":" + name;
  }

  private static Request parse(JsonNode event) {
    String impersonated = event.at("/impersonatedUser/username").asText("");
    String subresource = event.at("/objectRef/subresource").asText("");
    return new Request(Instant.parse(event.path("requestReceivedTimestamp").asText()),
        impersonated.isEmpty() ? event.at("/user/username").asText() : impersonated,
        event.path("userAgent").asText(""),
        event.path("verb").asText(),
        event.at("/objectRef/resource").asText() + (subresource.isEmpty() ? "" : "/" + subresource),
        event.at("/objectRef/namespace").asText(""), event.at("/objectRef/name").asText(""),
        event.at("/responseStatus/code").asInt(), event.at("/responseStatus/message").asText(""));
  }
}
