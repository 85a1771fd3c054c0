package io.sei.p2p.testbed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A currently free loopback TCP port, for a server started a moment later. It is taken below the kernel's ephemeral
 * range: a port from that range (what binding port 0 returns) can meanwhile become the local port of any outgoing
 * connection, and the server then fails with "address already in use".
 */
public final class FreePort {

  private static final int LOWEST = 10_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePort() {
  }

  public static synchronized int next() {
    int highest = firstEphemeral() - 1;
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
      // not twice from this process: the first one may not be bound yet
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + highest);
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The start of the ephemeral range (Linux's default, 32768, where it cannot be read). */
  private static int firstEphemeral() {
    try {
      int first = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
      return first > LOWEST + 1_000 ? first : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
