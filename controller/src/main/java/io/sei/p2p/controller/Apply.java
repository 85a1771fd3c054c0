package io.sei.p2p.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.model.WellKnown;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the controller writes the objects it controls, by server-side apply. An object that exists is written
 * only when there is something to write: the desired state changed since it was last applied (its hash is kept in
 * an annotation), or the object drifted from it. An object of the same name that someone else controls, or nobody
 * does, is never written: that is a {@link StepFailed#nameConflict}. Every write is counted.
 */
public final class Apply {

  public static final String FIELD_MANAGER = "sei-p2p-controller";

  private final KubernetesClient client;
  private final KubernetesSerialization json;
  private final ControllerMetrics metrics;

  public Apply(KubernetesClient client, ControllerMetrics metrics) {
    this.client = client;
    this.json = client.getKubernetesSerialization();
    this.metrics = metrics;
  }

  /**
   * {@code desired} (which carries its owner, see {@link #ownedBy}) made true; returns what the cluster holds
   * afterwards. {@code cached} is what the informer cache holds (null: nothing), which may lag behind the cluster.
   */
  public <T extends HasMetadata> T ensure(T desired, T cached) {
    if (desired.getMetadata().getAnnotations() == null) {
      desired.getMetadata().setAnnotations(new LinkedHashMap<>());
    }
    desired.getMetadata().getAnnotations().put(WellKnown.ANNOTATION_APPLIED_HASH, hash(desired));
    // the cache holds only this controller's labelled objects: a same-named object made by someone else is read live
    T actual = cached != null ? cached : client.resource(desired).get();
    if (actual == null) {
      try {
        metrics.wrote(desired.getKind(), "create");
        // created by an apply, not forced: every field it sets is owned by this controller from the start, so a field
        // it stops setting later is removed
        return client.resource(desired).fieldManager(FIELD_MANAGER).serverSideApply();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        actual = client.resource(desired).get(); // someone else's object appeared meanwhile
        if (actual == null) {
          throw e;
        }
      }
    }
    if (!sameController(desired, actual)) {
      OwnerReference owner = desired.getMetadata().getOwnerReferences().get(0);
      throw StepFailed.nameConflict(actual, StepFailed.controllerOf(actual), owner.getKind(), owner.getName());
    }
    if (upToDate(desired, actual)) {
      return actual;
    }
    metrics.wrote(desired.getKind(), "apply");
    return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
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

  /** Whether {@code owned} has {@code owner} (by UID) as its controller: nothing else is ever written or deleted. */
  public static boolean isOwnedBy(HasMetadata owned, HasMetadata owner) {
    return isControlledBy(owned, owner.getMetadata().getUid());
  }

  private static boolean sameController(HasMetadata desired, HasMetadata actual) {
    return isControlledBy(actual, desired.getMetadata().getOwnerReferences().get(0).getUid());
  }

  private static boolean isControlledBy(HasMetadata object, String ownerUid) {
    return object.getMetadata().getOwnerReferences() != null && object.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> Boolean.TRUE.equals(ref.getController()) && ownerUid.equals(ref.getUid()));
  }

  private <T extends HasMetadata> boolean upToDate(T desired, T actual) {
    Map<String, String> annotations = actual.getMetadata().getAnnotations();
    String appliedHash = annotations == null ? null : annotations.get(WellKnown.ANNOTATION_APPLIED_HASH);
    return desired.getMetadata().getAnnotations().get(WellKnown.ANNOTATION_APPLIED_HASH).equals(appliedHash)
        && covers(actual, desired);
  }

  /** Whether every field of {@code wanted} is in {@code actual} with the same value (as {@link #contains}). */
  public boolean covers(Object actual, Object wanted) {
    return contains(json.convertValue(actual, JsonNode.class), json.convertValue(wanted, JsonNode.class));
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
