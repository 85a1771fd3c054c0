package io.sei.p2p.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.net.Cidr;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The address checks are plain scans (they run for every peer of every node on each reconcile); these regular
 * expressions, which state the rules, are the reference they must agree with on any input.
 */
class PeerAddressTest {

  private static final Pattern NODE_ID = Pattern.compile("^[0-9a-fA-F]{40}$");
  private static final Pattern HOST_PORT = Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]+):(\\d{1,5})$");
  private static final Pattern DNS_NAME = Pattern.compile(
      "^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\\.?$");

  @Property(tries = 3000)
  void nodeIdsAsTheRuleSays(@ForAll("nodeIdLike") String text) {
    assertThat(PeerAddress.isNodeId(text)).isEqualTo(NODE_ID.matcher(text).matches());
  }

  @Property(tries = 3000)
  void dnsNamesAsTheRuleSays(@ForAll("dnsLike") String text) {
    assertThat(PeerAddress.isDnsName(text)).as(text).isEqualTo(DNS_NAME.matcher(text).matches());
  }

  @Property(tries = 5000)
  void hostPortsAsTheRuleSays(@ForAll("hostPortLike") String text) {
    assertThat(PeerAddress.parseHostPort(text)).as(text).isEqualTo(reference(text));
  }

  /** The rule as regular expressions: what {@link PeerAddress#parseHostPort} must answer. */
  private static PeerAddress.Parsed reference(String text) {
    Matcher matcher = HOST_PORT.matcher(text);
    if (!matcher.matches()) {
      return PeerAddress.Parsed.failure("\"" + text + "\" is not <host>:<port> (IPv6 hosts go in brackets: "
          + "[2001:db8::1]:26656)");
    }
    String host = matcher.group(1);
    int port = Integer.parseInt(matcher.group(2));
    if (port < 1 || port > 65535) {
      return PeerAddress.Parsed.failure("has port " + port + ", outside 1..65535");
    }
    boolean validHost = host.startsWith("[")
        ? Cidr.IpAddress.parse(host.substring(1, host.length() - 1)) != null
        : DNS_NAME.matcher(host).matches();
    return validHost ? PeerAddress.Parsed.success(new PeerAddress(null, host, port))
        : PeerAddress.Parsed.failure("has host \"" + host + "\", which is not a DNS name, an IPv4 address or a "
            + "bracketed IPv6 address");
  }

  @Provide
  Arbitrary<String> nodeIdLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789abcdefABCDEFgG ").ofMinLength(38).ofMaxLength(42),
        Arbitraries.strings().ofMaxLength(45));
  }

  @Provide
  Arbitrary<String> dnsLike() {
    Arbitrary<String> label = Arbitraries.strings().withChars("ab9Z-").ofMinLength(0).ofMaxLength(66);
    return Arbitraries.oneOf(
        label.list().ofMinSize(1).ofMaxSize(6).map(labels -> String.join(".", labels)),
        label.list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels) + "."),
        Arbitraries.strings().withChars("a.-_9 \n").ofMaxLength(20),
        label.list().ofMinSize(3).ofMaxSize(5).map(labels -> String.join(".", labels).repeat(3)));
  }

  @Provide
  Arbitrary<String> hostPortLike() {
    Arbitrary<String> host = Arbitraries.strings().withChars("a1.-:[]").ofMaxLength(12);
    Arbitrary<String> port = Arbitraries.strings().withChars("0129x").ofMaxLength(7);
    return Arbitraries.oneOf(
        Combinators.combine(host, port).as((h, p) -> h + ":" + p),
        Arbitraries.strings().withChars("a1:[]").ofMaxLength(10));
  }
}
