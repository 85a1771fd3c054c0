package io.sei.p2p.resources;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The short hash the controller marks content with (applied objects, a pod's start-up config): 16 hex digits. */
public final class ShortHash {

  private ShortHash() {
  }

  /** The first 8 bytes of the SHA-256 of {@code text} in UTF-8, in lowercase hex. */
  public static String of(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
