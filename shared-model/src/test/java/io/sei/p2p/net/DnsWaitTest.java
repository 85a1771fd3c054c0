package io.sei.p2p.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DnsWaitTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");

  @Test
  void aSecondAtFirstThenHalfTheWaitAtMostTenSeconds() {
    assertThat(DnsWait.recheck(null, NOW)).isEqualTo(Duration.ofSeconds(1));
    assertThat(DnsWait.recheck(NOW.minusSeconds(1), NOW)).isEqualTo(Duration.ofSeconds(1));
    assertThat(DnsWait.recheck(NOW.minusSeconds(8), NOW)).isEqualTo(Duration.ofSeconds(4));
    assertThat(DnsWait.recheck(NOW.minusSeconds(20), NOW)).isEqualTo(Duration.ofSeconds(10));
    assertThat(DnsWait.recheck(NOW.minusSeconds(3600), NOW)).isEqualTo(Duration.ofSeconds(10));
  }
}
