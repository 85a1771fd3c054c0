package io.sei.p2p.net;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network in CIDR notation, parsed without DNS. */
public record Cidr(String text, byte[] network, int prefixLength) {

  private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

  /** Parses {@code 10.0.0.0/16} or {@code fd00::/8}; throws IllegalArgumentException saying what is wrong. */
  public static Cidr parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("\"" + trimmed + "\" has no /prefix-length");
    }
    byte[] address = IpAddress.parse(trimmed.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("\"" + trimmed + "\" does not start with an IP address");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(trimmed.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + trimmed + "\" has a prefix length that is not a number");
    }
    if (prefix < 0 || prefix > address.length * 8) {
      throw new IllegalArgumentException("\"" + trimmed + "\" has a prefix length outside 0.." + address.length * 8);
    }
    return new Cidr(trimmed, address, prefix);
  }

  /** Parses a comma-separated list with at least one entry. */
  public static List<Cidr> parseList(String text) {
    List<Cidr> cidrs = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        cidrs.add(parse(part));
      }
    }
    if (cidrs.isEmpty()) {
      throw new IllegalArgumentException("no CIDR given");
    }
    return List.copyOf(cidrs);
  }

  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int bits = address.length * 8;
    BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
        .shiftRight(prefixLength).not();
    return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr cidr && cidr.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** IP literal parsing that never resolves a name. */
  public static final class IpAddress {

    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:.]+$");

    private IpAddress() {
    }

    /** The address bytes (4 or 16), or null when {@code text} is not an IP literal. */
    public static byte[] parse(String text) {
      var v4 = IPV4.matcher(text);
      if (v4.matches()) {
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int octet = Integer.parseInt(v4.group(i + 1));
          if (octet > 255) {
            return null;
          }
          bytes[i] = (byte) octet;
        }
        return bytes;
      }
      if (text.contains(":") && IPV6_CHARS.matcher(text).matches()) {
        try {
          // only hex digits, colons and dots reach here, so this is a literal parse, not a DNS lookup
          byte[] bytes = java.net.InetAddress.getByName(text).getAddress();
          return bytes.length == 16 ? bytes : null;
        } catch (java.net.UnknownHostException e) {
          return null;
        }
      }
      return null;
    }
  }
}
