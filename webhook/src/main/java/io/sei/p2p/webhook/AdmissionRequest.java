package io.sei.p2p.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The part of an {@code admission.k8s.io/v1} AdmissionReview request that the rules need. */
public record AdmissionRequest(
    String uid,
    GroupKind kind,
    String operation,
    String namespace,
    String name,
    JsonNode object,
    JsonNode oldObject,
    UserInfo user) {

  /** Who asked: the authenticated user as the apiserver saw them. */
  public record UserInfo(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
  }

  /** An API group and kind, as in the request's {@code kind} ({@code group} is empty for the core group). */
  public record GroupKind(String group, String kind) {
    @Override
    public String toString() {
      return group.isEmpty() ? kind : kind + "." + group;
    }
  }
}
