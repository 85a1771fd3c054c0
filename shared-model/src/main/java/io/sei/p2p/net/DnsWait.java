package io.sei.p2p.net;

import java.time.Duration;
import java.time.Instant;

/**
 * How soon a node whose published name does not resolve yet looks again: after a second at first, then after half the
 * time it has waited, at most every 10 s. A fresh NLB name takes minutes to reach DNS; a node should start soon after
 * it does, without asking the resolver over and over meanwhile.
 */
public final class DnsWait {

  static final Duration FIRST = Duration.ofSeconds(1);
  static final Duration LONGEST = Duration.ofSeconds(10);

  private DnsWait() {
  }

  /** @param waitingSince since when the node has been waiting (null: it starts waiting now) */
  public static Duration recheck(Instant waitingSince, Instant now) {
    if (waitingSince == null) {
      return FIRST;
    }
    Duration half = Duration.between(waitingSince, now).dividedBy(2);
    return half.compareTo(FIRST) < 0 ? FIRST : half.compareTo(LONGEST) > 0 ? LONGEST : half;
  }
}
