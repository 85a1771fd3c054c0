package io.sei.p2p.peers;

import io.sei.p2p.resources.NodeConfig;
import java.time.Duration;
import java.time.Instant;

/**
 * When a change of the peer set reaches a node. A CometBFT node reads its peers at start-up, so the first start
 * waits a little for peers that are about to publish; afterwards the config is updated without a restart, and
 * updates are spaced so that a fleet publishing one node at a time costs each node a few writes, not one per peer.
 */
public final class PeerTiming {

  private PeerTiming() {
  }

  /** Go ahead now, or look again after {@code recheck}. */
  public record Decision(boolean proceed, Duration recheck) {

    static final Decision NOW = new Decision(true, null);

    static Decision after(Duration recheck) {
      return new Decision(false, recheck);
    }
  }

  /**
   * Whether a node that may start should start now.
   *
   * @param awaiting     selected tcp peers not published yet
   * @param waitingSince when the node began waiting for them (null: it has not yet)
   * @param settle       how long a node waits for its peers at most
   */
  public static Decision firstStart(int awaiting, Instant waitingSince, Duration settle, Instant now) {
    if (awaiting == 0) {
      return Decision.NOW;
    }
    Instant deadline = (waitingSince == null ? now : waitingSince).plus(settle);
    return now.isBefore(deadline) ? Decision.after(Duration.between(now, deadline)) : Decision.NOW;
  }

  /**
   * Whether a started node's config should be written now. Changes that need a restart are written at once (the
   * pod rolls with them); a change of the peer set alone waits until {@code spacing} has passed since the last write.
   *
   * @param writtenRestartHash the restart hash of the config as last written
   * @param writtenAt          when it was last written (null: unknown)
   */
  public static Decision configUpdate(String writtenRestartHash, Instant writtenAt, NodeConfig.Rendered wanted,
      Duration spacing, Instant now) {
    if (!wanted.restartHash().equals(writtenRestartHash) || writtenAt == null) {
      return Decision.NOW;
    }
    Instant due = writtenAt.plus(spacing);
    return now.isBefore(due) ? Decision.after(Duration.between(now, due)) : Decision.NOW;
  }
}
