package io.sei.p2p.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.resources.NodeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerTimingTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:01:00Z");
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final Duration SPACING = Duration.ofSeconds(15);

  @Test
  void aNodeWhosePeersHavePublishedStartsAtOnce() {
    assertThat(PeerTiming.firstStart(0, null, SETTLE, NOW)).isEqualTo(new PeerTiming.Decision(true, null));
  }

  @Test
  void aNodeWaitsForUnpublishedPeersUntilTheSettleTimeHasPassed() {
    assertThat(PeerTiming.firstStart(3, null, SETTLE, NOW))
        .as("begins waiting now").isEqualTo(new PeerTiming.Decision(false, SETTLE));
    assertThat(PeerTiming.firstStart(3, NOW.minusSeconds(45), SETTLE, NOW))
        .isEqualTo(new PeerTiming.Decision(false, Duration.ofSeconds(15)));
    assertThat(PeerTiming.firstStart(3, NOW.minusSeconds(60), SETTLE, NOW).proceed())
        .as("never waits longer than the settle time").isTrue();
  }

  @Test
  void aPeerSetChangeWaitsForTheSpacingButARestartingChangeDoesNot() {
    NodeConfig.Rendered wanted = NodeConfig.render("a:26656", List.of("x"), Map.of());

    assertThat(PeerTiming.configUpdate(wanted.restartHash(), NOW.minusSeconds(5), wanted, SPACING, NOW))
        .isEqualTo(new PeerTiming.Decision(false, Duration.ofSeconds(10)));
    assertThat(PeerTiming.configUpdate(wanted.restartHash(), NOW.minusSeconds(15), wanted, SPACING, NOW).proceed())
        .isTrue();
    assertThat(PeerTiming.configUpdate("another", NOW.minusSeconds(1), wanted, SPACING, NOW).proceed())
        .as("the pod rolls with it anyway").isTrue();
    assertThat(PeerTiming.configUpdate(wanted.restartHash(), null, wanted, SPACING, NOW).proceed())
        .as("no record of the last write").isTrue();
  }
}
