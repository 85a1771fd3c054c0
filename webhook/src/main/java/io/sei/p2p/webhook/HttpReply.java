package io.sei.p2p.webhook;

import java.nio.charset.StandardCharsets;

/** A status line and body, independent of the HTTP server that sends it. */
record HttpReply(int status, String contentType, byte[] body) {

  static HttpReply json(byte[] body) {
    return new HttpReply(200, "application/json", body);
  }

  /** A non-review error: one line of plain text saying what was wrong. */
  static HttpReply error(int status, String reason) {
    return new HttpReply(status, "text/plain; charset=utf-8", (reason + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
