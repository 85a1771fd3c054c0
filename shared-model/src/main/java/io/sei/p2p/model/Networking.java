package io.sei.p2p.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/** Rules about a node's networking block shared by the webhook and the controller. */
public final class Networking {

  /** Where a SeiNode carries networking. */
  public static final List<String> SEINODE_BLOCKS = List.of("/spec/networking");
  /** Where a SeiNodeDeployment carries networking: deployment-wide, and in the child template. */
  public static final List<String> DEPLOYMENT_BLOCKS = List.of("/spec/networking", "/spec/template/spec/networking");

  // mutating admission runs before schema validation, so unknown members must not stop the reading
  private static final ObjectMapper LENIENT = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Networking() {
  }

  /**
   * The patch that materialises every legacy {@code networking: {}} among {@code blocks} of {@code object} as
   * {@code {http: {}}}. Empty when nothing is in legacy form, so applying it twice changes nothing.
   */
  public static List<JsonPatchOperation> defaultingPatch(JsonNode object, List<String> blocks) {
    List<JsonPatchOperation> patch = new ArrayList<>();
    for (String block : blocks) {
      JsonNode networking = object.at(block);
      if (networking.isObject() && read(networking).legacyEmpty()) {
        patch.add(JsonPatchOperation.add(JsonPatchOperation.child(block, "http"), JsonNodeFactory.instance.objectNode()));
      }
    }
    return patch;
  }

  /** A child's networking: the template's when set, else the deployment-wide one (may be null). */
  public static NetworkingConfig forChild(SeiNodeDeploymentSpec deployment) {
    NetworkingConfig fromTemplate = deployment.template().spec().networking();
    return fromTemplate != null ? fromTemplate : deployment.networking();
  }

  public static boolean tcpEnabled(NetworkingConfig networking) {
    return networking != null && networking.tcpEnabled();
  }

  private static NetworkingConfig read(JsonNode networking) {
    try {
      return LENIENT.treeToValue(networking, NetworkingConfig.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      // e.g. "http": 5 — not an object; the schema will reject it, and it is not the legacy form
      return NetworkingConfig.HTTP;
    }
  }
}
