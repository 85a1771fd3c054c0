package io.sei.p2p.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.ShortHash;
import java.util.ArrayList;
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
  /** Turns objects into trees for {@link #covers}: a comparison, so no client's settings are needed. */
  private static final KubernetesSerialization TREES = new KubernetesSerialization();

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
    desired.getMetadata().getAnnotations().put(WellKnown.ANNOTATION_APPLIED_HASH, ShortHash.of(json.asJson(desired)));
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
    T applied;
    try {
      applied = forcedApply(desired);
    } catch (KubernetesClientException e) {
      // a list another manager changed may not merge with this controller's (two ports of one name, say)
      if (e.getCode() != 422 || replaceLists(desired, client.resource(desired).get()) == null) {
        throw e;
      }
      metrics.wrote(desired.getKind(), "apply");
      return forcedApply(desired);
    }
    T replaced = replaceLists(desired, applied);
    return replaced == null ? applied : replaced;
  }

  private <T extends HasMetadata> T forcedApply(T desired) {
    return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /**
   * An apply keeps the list entries another manager added (a port edited by hand, say): the lists of {@code desired}
   * that {@code live} does not hold as they are are replaced whole, provided {@code live} is still current. Null when
   * there is no such list.
   */
  private <T extends HasMetadata> T replaceLists(T desired, T live) {
    JsonNode wanted = json.convertValue(desired, JsonNode.class);
    List<String> lists = live == null ? List.of()
        : listsNotCovered(json.convertValue(live, JsonNode.class), wanted, "");
    if (lists.isEmpty()) {
      return null;
    }
    ArrayNode patch = json.convertValue(List.of(Map.of("op", "test", "path", "/metadata/resourceVersion",
        "value", live.getMetadata().getResourceVersion())), ArrayNode.class);
    for (String list : lists) {
      patch.addObject().put("op", "replace").put("path", list).set("value", wanted.at(list));
    }
    metrics.wrote(desired.getKind(), "patch");
    return client.resource(live).patch(new PatchContext.Builder().withPatchType(PatchType.JSON)
        .withFieldManager(FIELD_MANAGER).build(), json.asJson(patch));
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
  static boolean covers(Object actual, Object wanted) {
    return contains(TREES.convertValue(actual, JsonNode.class), TREES.convertValue(wanted, JsonNode.class));
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

  /** The JSON pointers of the lists in {@code wanted} that {@code actual} does not hold as they are, outermost first. */
  static List<String> listsNotCovered(JsonNode actual, JsonNode wanted, String path) {
    if (wanted.isArray()) {
      return contains(actual, wanted) ? List.of() : List.of(path);
    }
    List<String> lists = new ArrayList<>();
    if (wanted.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        lists.addAll(listsNotCovered(actual.path(field.getKey()), field.getValue(),
            path + "/" + field.getKey().replace("~", "~0").replace("/", "~1")));
      }
    }
    return lists;
  }
}
