package io.sei.p2p.webhook;

import io.sei.p2p.model.JsonPatchOperation;
import io.sei.p2p.validation.FieldProblem;
import java.util.List;

/**
 * What the webhook answers, before the UID is copied in and it is serialised. Build one with the factories:
 * they set the status code and reason that kubectl turns into its message.
 */
public record AdmissionResponse(
    boolean allowed,
    Integer code,
    String reason,
    String message,
    Invalid invalid,
    List<JsonPatchOperation> patch,
    List<String> warnings) {

  /** What kubectl needs to print {@code The SeiNode "x" is invalid: * field: message}. */
  public record Invalid(String group, String kind, String name, List<FieldProblem> causes) {
  }

  public static AdmissionResponse allowed(List<String> warnings) {
    return new AdmissionResponse(true, null, null, null, null, List.of(), List.copyOf(warnings));
  }

  /** Allowed with {@code patch} applied; an empty patch means no patch at all. */
  public static AdmissionResponse patched(List<JsonPatchOperation> patch) {
    return new AdmissionResponse(true, null, null, null, null, List.copyOf(patch), List.of());
  }

  /** 422 Invalid, one cause per problem; the message lists them all too. */
  public static AdmissionResponse invalid(String group, String kind, String name, List<FieldProblem> problems,
      List<String> warnings) {
    String message = kind + " \"" + name + "\" is invalid: " + FieldProblem.join(problems);
    return new AdmissionResponse(false, 422, "Invalid", message,
        new Invalid(group, kind, name, List.copyOf(problems)), List.of(), List.copyOf(warnings));
  }

  /** 403 Forbidden: kubectl prints {@code Error from server (Forbidden)}. */
  public static AdmissionResponse forbidden(String message) {
    return new AdmissionResponse(false, 403, "Forbidden", message, null, List.of(), List.of());
  }

  /** 400 BadRequest: a review this endpoint cannot judge (a misregistration must be loud). */
  public static AdmissionResponse badRequest(String message) {
    return new AdmissionResponse(false, 400, "BadRequest", message, null, List.of(), List.of());
  }

  /** 500 InternalError inside a review: the webhook failed while judging, and says so. */
  public static AdmissionResponse internalError(String message) {
    return new AdmissionResponse(false, 500, "InternalError", message, null, List.of(), List.of());
  }

  /** The decision as a metric label. */
  public String decision() {
    if (!allowed) {
      return "denied";
    }
    return patch.isEmpty() ? "allowed" : "patched";
  }
}
