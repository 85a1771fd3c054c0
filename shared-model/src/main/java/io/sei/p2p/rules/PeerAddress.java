package io.sei.p2p.rules;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A CometBFT peer address {@code <node_id>@<host>:<port>}, and {@code <host>:<port>} published addresses. */
public record PeerAddress(String nodeId, String host, int port) {

  private static final Pattern NODE_ID = Pattern.compile("^[0-9a-fA-F]{40}$");
  private static final Pattern HOST_PORT = Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]+):(\\d{1,5})$");
  private static final Pattern DNS_NAME =
      Pattern.compile("^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\\.?$");

  /** Parses {@code <40 hex>@<host>:<port>}; the failure says what is wrong. */
  public static Parsed parse(String text) {
    int at = text.indexOf('@');
    if (at < 0) {
      return Parsed.failure("has no node ID: expected <40 hex characters>@<host>:<port>");
    }
    String nodeId = text.substring(0, at);
    if (!NODE_ID.matcher(nodeId).matches()) {
      return Parsed.failure("has node ID \"" + nodeId + "\", which is not 40 hexadecimal characters");
    }
    Parsed hostPort = parseHostPort(text.substring(at + 1));
    return hostPort.address().map(a -> Parsed.success(new PeerAddress(nodeId, a.host(), a.port()))).orElse(hostPort);
  }

  /** Parses {@code <host>:<port>} with a DNS name, IPv4 or bracketed IPv6 host. */
  public static Parsed parseHostPort(String text) {
    Matcher matcher = HOST_PORT.matcher(text);
    if (!matcher.matches()) {
      return Parsed.failure("\"" + text + "\" is not <host>:<port> (IPv6 hosts go in brackets: [2001:db8::1]:26656)");
    }
    String host = matcher.group(1);
    int port = Integer.parseInt(matcher.group(2));
    if (port < 1 || port > 65535) {
      return Parsed.failure("has port " + port + ", outside 1..65535");
    }
    boolean validHost = host.startsWith("[")
        ? Cidr.IpAddress.parse(host.substring(1, host.length() - 1)) != null
        : DNS_NAME.matcher(host).matches();
    if (!validHost) {
      return Parsed.failure("has host \"" + host + "\", which is not a DNS name, an IPv4 address or a bracketed IPv6 "
          + "address");
    }
    return Parsed.success(new PeerAddress(null, host, port));
  }

  public String hostPort() {
    return host + ":" + port;
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
