package io.sei.p2p.certs;

import java.util.regex.Pattern;

/** Tells IP literals from DNS names without a DNS lookup. */
final class IpLiteral {

  private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})(\\.\\d{1,3}){3}$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$");

  private IpLiteral() {
  }

  static boolean isIpLiteral(String value) {
    return IPV4.matcher(value).matches() || IPV6.matcher(value).matches();
  }
}
