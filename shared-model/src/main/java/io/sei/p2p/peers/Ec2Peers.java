package io.sei.p2p.peers;

import io.sei.p2p.model.PeerSource;
import io.sei.p2p.model.WellKnown;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code ec2Tags} peer source over plain values: which instances a source asks EC2 for, and the CometBFT peer
 * each instance makes. EC2 itself is asked by the controller; this class never does I/O.
 */
public final class Ec2Peers {

  private static final int DEFAULT_PORT = WellKnown.P2P_PORT;

  private Ec2Peers() {
  }

  /** One {@code ec2Tags} source: the running instances of {@code region} that carry every pair of {@code tags}. */
  public record Source(String region, Map<String, String> tags) {

    public Source {
      region = region == null ? "" : region;
      tags = Collections.unmodifiableSortedMap(tags == null ? new TreeMap<>() : new TreeMap<>(tags));
    }

    public static Source of(PeerSource.Ec2Tags source) {
      return new Source(source.region(), source.tags());
    }

    /** The DescribeInstances filters: running, and each tag with its value (EC2 ANDs the filters). */
    public Map<String, String> filters() {
      Map<String, String> filters = new TreeMap<>();
      filters.put("instance-state-name", "running");
      tags.forEach((key, value) -> filters.put("tag:" + key, value));
      return filters;
    }

    /** A key that names this source alone, whatever its tags contain (each part carries its length). */
    public String key() {
      StringBuilder key = new StringBuilder().append(region.length()).append(':').append(region);
      tags.forEach((name, value) -> key.append(name.length()).append(':').append(name)
          .append(value.length()).append(':').append(value));
      return key.toString();
    }
  }

  /** What an instance offers a peer: its ID, tags and addresses as DescribeInstances gives them (absent: null). */
  public record Instance(String id, Map<String, String> tags, String publicDnsName, String publicIp,
      String privateDnsName, String privateIp) {

    public Instance {
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
  }

  /**
   * A failed DescribeInstances.
   *
   * @param denied  whether AWS refused the caller (a missing permission or rejected credentials), not a passing fault
   * @param message what failed, for the node's condition (stable across retries: no request IDs)
   */
  public record Failure(boolean denied, String message) {
  }

  /**
   * What the controller knows of a source.
   *
   * @param instances the instances of the last answer, ordered by ID; kept when a later call fails
   * @param failure   the last call's failure, or null when it answered
   * @param answered  whether EC2 has answered for this source at all (false: no instances are known yet)
   */
  public record Lookup(List<Instance> instances, Failure failure, boolean answered) {

    public static final Lookup PENDING = new Lookup(List.of(), null, false);

    public Lookup {
      instances = List.copyOf(instances);
    }
  }

  /** The peer an instance makes, or why the instance is left out. */
  public record Composed(PeerAddress address, String problem) {

    /** The {@code persistent-peers} entry {@code <node-id>@<host>:<port>}; null when left out. */
    public String peer() {
      return address == null ? null : address.entry();
    }
  }

  /**
   * The peer an instance makes. The node ID comes from its {@value WellKnown#TAG_NODE_ID} tag (40 lowercase hex), the
   * port from {@value WellKnown#TAG_P2P_PORT} (default 26656), the host from the first of public DNS name, public IP,
   * private DNS name and private IP that it has. Tag values are anyone's input: a host that is not a plain name or
   * address (a comma would add entries to {@code persistent-peers}) leaves the instance out.
   */
  public static Composed compose(Instance instance) {
    String nodeId = instance.tags().get(WellKnown.TAG_NODE_ID);
    if (nodeId == null || nodeId.isEmpty()) {
      return skipped("has no " + WellKnown.TAG_NODE_ID + " tag");
    }
    if (!isLowercaseNodeId(nodeId)) {
      return skipped("has " + WellKnown.TAG_NODE_ID + " \"" + printable(nodeId)
          + "\", which is not 40 lowercase hexadecimal characters");
    }
    String portTag = instance.tags().get(WellKnown.TAG_P2P_PORT);
    int port = DEFAULT_PORT;
    if (portTag != null) {
      port = parsePort(portTag);
      if (port < 0) {
        return skipped("has " + WellKnown.TAG_P2P_PORT + " \"" + printable(portTag)
            + "\", which is not a port from 1 to 65535");
      }
    }
    String host = firstPresent(instance.publicDnsName(), instance.publicIp(), instance.privateDnsName(),
        instance.privateIp());
    if (host == null) {
      return skipped("has no public or private address");
    }
    PeerAddress.Parsed parsed = PeerAddress.parse(nodeId + "@" + host + ":" + port);
    if (parsed.address().isEmpty()) {
      return skipped("has host \"" + printable(host) + "\", which is not a DNS name or an IP address");
    }
    return new Composed(parsed.address().get(), null);
  }

  private static Composed skipped(String problem) {
    return new Composed(null, problem);
  }

  private static boolean isLowercaseNodeId(String text) {
    return PeerAddress.isNodeId(text) && text.chars().noneMatch(c -> c >= 'A' && c <= 'F');
  }

  /** 1..65535 in plain decimal digits, else -1. */
  private static int parsePort(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int port = Integer.parseInt(text);
    return port >= 1 && port <= 65535 ? port : -1;
  }

  private static String firstPresent(String... candidates) {
    for (String candidate : candidates) {
      if (candidate != null && !candidate.isEmpty()) {
        return candidate;
      }
    }
    return null;
  }

  /** A tag value as a condition message may quote it: control characters escaped, at most 80 characters. */
  private static String printable(String value) {
    StringBuilder shown = new StringBuilder();
    value.codePoints().limit(80).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        shown.append(String.format("\\u%04x", c));
      } else {
        shown.appendCodePoint(c);
      }
    });
    return value.codePointCount(0, value.length()) > 80 ? shown + "..." : shown.toString();
  }
}
