package io.sei.p2p.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the controller writes owned objects. Server-side apply, but only when there is something to write:
 * the desired state changed since it was last applied (its hash is kept in an annotation), or the object drifted
 * from it. An idle cluster therefore sees no writes at all. Every write is counted.
 */
public final class Apply {

  public static final String FIELD_MANAGER = "sei-p2p-controller";
  static final String APPLIED_HASH = "sei.io/applied-hash";

  private final KubernetesClient client;
  private final KubernetesSerialization json;
  private final ControllerMetrics metrics;

  public Apply(KubernetesClient client, ControllerMetrics metrics) {
    this.client = client;
    this.json = client.getKubernetesSerialization();
    this.metrics = metrics;
  }

  /**
   * {@code desired} (which carries its owner, see {@link #ownedBy}) applied if needed; returns what the cluster
   * holds afterwards (or {@code actual} unchanged). An {@code actual} controlled by anyone but {@code desired}'s
   * owner is never taken over: that is an error.
   */
  public <T extends HasMetadata> T ensure(T desired, T actual) {
    if (actual != null && !sameController(desired, actual)) {
      throw new IllegalStateException(actual.getKind() + " " + actual.getMetadata().getNamespace() + "/"
          + actual.getMetadata().getName() + " exists but is not controlled by "
          + desired.getMetadata().getOwnerReferences().get(0).getKind() + " "
          + desired.getMetadata().getOwnerReferences().get(0).getName() + "; it is left alone (rename or remove it)");
    }
    if (desired.getMetadata().getAnnotations() == null) {
      desired.getMetadata().setAnnotations(new LinkedHashMap<>());
    }
    desired.getMetadata().getAnnotations().put(APPLIED_HASH, hash(desired));
    if (actual != null && upToDate(desired, actual)) {
      return actual;
    }
    metrics.wrote(desired.getKind(), "apply");
    return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** Creates {@code object}; a conflict (it exists already) is the caller's to handle. */
  public <T extends HasMetadata> T create(T object) {
    metrics.wrote(object.getKind(), "create");
    return client.resource(object).create();
  }

  public void delete(HasMetadata object) {
    metrics.wrote(object.getKind(), "delete");
    client.resource(object).delete();
  }

  /** Sets {@code owner} as the controller owner of {@code owned}, so garbage collection follows the owner. */
  public static <T extends HasMetadata> T ownedBy(T owned, HasMetadata owner) {
    OwnerReference reference = new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind()).withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
    owned.getMetadata().setOwnerReferences(List.of(reference));
    return owned;
  }

  /** Whether {@code owned} has {@code owner} (by UID) as its controller: nothing else is ever deleted. */
  public static boolean isOwnedBy(HasMetadata owned, HasMetadata owner) {
    return owned.getMetadata().getOwnerReferences() != null && owned.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> Boolean.TRUE.equals(ref.getController())
            && ref.getUid().equals(owner.getMetadata().getUid()));
  }

  private static boolean sameController(HasMetadata desired, HasMetadata actual) {
    String owner = desired.getMetadata().getOwnerReferences().get(0).getUid();
    return actual.getMetadata().getOwnerReferences() != null && actual.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> Boolean.TRUE.equals(ref.getController()) && owner.equals(ref.getUid()));
  }

  private <T extends HasMetadata> boolean upToDate(T desired, T actual) {
    Map<String, String> annotations = actual.getMetadata().getAnnotations();
    String appliedHash = annotations == null ? null : annotations.get(APPLIED_HASH);
    return desired.getMetadata().getAnnotations().get(APPLIED_HASH).equals(appliedHash)
        && contains(json.convertValue(actual, JsonNode.class), json.convertValue(desired, JsonNode.class));
  }

  /** Whether every field of {@code wanted} is in {@code actual} with the same value (defaults may add fields). */
  static boolean contains(JsonNode actual, JsonNode wanted) {
    if (wanted.isObject()) {
      if (!actual.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getValue().isNull() && !contains(actual.path(field.getKey()), field.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isArray()) {
      if (!actual.isArray() || actual.size() != wanted.size()) {
        return false;
      }
      for (int i = 0; i < wanted.size(); i++) {
        if (!contains(actual.get(i), wanted.get(i))) {
          return false;
        }
      }
      return true;
    }
    return wanted.equals(actual) || (wanted.isNumber() && actual.isNumber() && wanted.asText().equals(actual.asText()));
  }

  private String hash(HasMetadata desired) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(json.asJson(desired).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
