package io.sei.p2p.model;

import com.fasterxml.jackson.databind.JsonNode;

/** One RFC 6902 operation; {@code path} is an RFC 6901 pointer. */
public record JsonPatchOperation(String op, String path, JsonNode value) {

  public static JsonPatchOperation add(String path, JsonNode value) {
    return new JsonPatchOperation("add", path, value);
  }

  /** Appends one reference token to a pointer, escaping '~' and '/' as RFC 6901 requires. */
  public static String child(String pointer, String token) {
    return pointer + "/" + token.replace("~", "~0").replace("/", "~1");
  }
}
