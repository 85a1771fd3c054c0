package io.sei.p2p.controller;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;

/**
 * Whether a published host resolves yet. CometBFT resolves {@code p2p.external_address} at start-up and refuses to
 * start when it does not resolve, and a fresh NLB name takes minutes to appear in DNS.
 */
final class DnsCheck {

  static {
    // re-check every time: a cached "no such host" would hold a node back after its name appeared
    Security.setProperty("networkaddress.cache.negative.ttl", "0");
  }

  private DnsCheck() {
  }

  static boolean resolves(String host) {
    try {
      InetAddress.getAllByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
