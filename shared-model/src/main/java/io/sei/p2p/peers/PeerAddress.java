package io.sei.p2p.peers;

import io.sei.p2p.net.Cidr;
import java.util.Optional;

/** A CometBFT peer address {@code <node_id>@<host>:<port>}, and {@code <host>:<port>} published addresses. */
public record PeerAddress(String nodeId, String host, int port) {

  private static final int NODE_ID_LENGTH = 40;

  /** Parses {@code <40 hex>@<host>:<port>}; the failure says what is wrong. */
  public static Parsed parse(String text) {
    int at = text.indexOf('@');
    if (at < 0) {
      return Parsed.failure("has no node ID: expected <40 hex characters>@<host>:<port>");
    }
    String nodeId = text.substring(0, at);
    if (!isNodeId(nodeId)) {
      return Parsed.failure("has node ID \"" + nodeId + "\", which is not 40 hexadecimal characters");
    }
    Parsed hostPort = parseHostPort(text.substring(at + 1));
    return hostPort.address().map(a -> Parsed.success(new PeerAddress(nodeId, a.host(), a.port()))).orElse(hostPort);
  }

  /** Parses {@code <host>:<port>} with a DNS name, IPv4 or bracketed IPv6 host. */
  public static Parsed parseHostPort(String text) {
    // plain scans, not regular expressions: the controller checks every peer of every node on each reconcile
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon);
    String digits = colon < 0 ? "" : text.substring(colon + 1);
    boolean bracketed = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
        && host.indexOf(']') == host.length() - 1;
    boolean plainHost = !host.isEmpty() && host.chars().noneMatch(c -> c == ':' || c == '[' || c == ']');
    if (!isPort(digits) || !(bracketed || plainHost)) {
      return Parsed.failure("\"" + text + "\" is not <host>:<port> (IPv6 hosts go in brackets: [2001:db8::1]:26656)");
    }
    int port = Integer.parseInt(digits);
    if (port < 1 || port > 65535) {
      return Parsed.failure("has port " + port + ", outside 1..65535");
    }
    boolean validHost = bracketed
        ? Cidr.IpAddress.parse(host.substring(1, host.length() - 1)) != null
        : isDnsName(host);
    if (!validHost) {
      return Parsed.failure("has host \"" + host + "\", which is not a DNS name, an IPv4 address or a bracketed IPv6 "
          + "address");
    }
    return Parsed.success(new PeerAddress(null, host, port));
  }

  /** 40 hexadecimal characters, either case. */
  static boolean isNodeId(String text) {
    if (text.length() != NODE_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** One to five decimal digits. */
  private static boolean isPort(String text) {
    return !text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * A DNS name of at most 253 characters: dot-separated labels of 1 to 63 letters, digits and hyphens, neither
   * starting nor ending with a hyphen, with an optional final dot.
   */
  static boolean isDnsName(String text) {
    if (text.isEmpty() || text.length() > 253) {
      return false;
    }
    String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    int start = 0;
    while (true) {
      int dot = name.indexOf('.', start);
      int end = dot < 0 ? name.length() : dot;
      if (!isLabel(name, start, end)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      start = dot + 1;
    }
  }

  private static boolean isLabel(String name, int start, int end) {
    int length = end - start;
    if (length < 1 || length > 63 || name.charAt(start) == '-' || name.charAt(end - 1) == '-') {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  public String hostPort() {
    return host + ":" + port;
  }

  /** The {@code persistent-peers} entry, {@code <node-id>@<host>:<port>}. */
  public String entry() {
    return nodeId + "@" + hostPort();
  }

  /** A parsed address, or why the text is not one. */
  public record Parsed(Optional<PeerAddress> address, String problem) {

    static Parsed success(PeerAddress address) {
      return new Parsed(Optional.of(address), null);
    }

    static Parsed failure(String problem) {
      return new Parsed(Optional.empty(), problem);
    }
  }
}
