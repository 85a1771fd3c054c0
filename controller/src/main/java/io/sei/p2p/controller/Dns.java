package io.sei.p2p.controller;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether a published host resolves yet. CometBFT resolves {@code p2p.external_address} at start-up and refuses to
 * start when it does not resolve, and a fresh NLB name takes minutes to appear in DNS.
 */
@FunctionalInterface
interface Dns {

  boolean resolves(String host);

  /** The JVM's resolver ({@link Controller#start} turns off its cache of names that did not resolve). */
  static Dns system() {
    return host -> {
      try {
        InetAddress.getAllByName(host);
        return true;
      } catch (UnknownHostException e) {
        return false;
      }
    };
  }
}
