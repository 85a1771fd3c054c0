package io.sei.p2p.controller;

import io.sei.p2p.rules.NlbTargetType;
import io.sei.p2p.rules.Routability;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The controller's settings, parsed once from the environment; a bad value stops the process with a clear message. */
public record ControllerConfig(
    NlbTargetType targetType,
    String vpcCidr,
    Set<String> watchNamespaces,
    String leaseNamespace,
    boolean leaderElection,
    int healthPort,
    Duration notRoutableRecheck,
    Duration peerSettle,
    Duration peerUpdateSpacing) {

  public static final String LEASE_NAME = "sei-p2p-controller";

  public static ControllerConfig fromEnv(Map<String, String> env) {
    String watch = env.getOrDefault("SEI_WATCH_NAMESPACES", "");
    return new ControllerConfig(
        NlbTargetType.parse(env.get("SEI_NLB_TARGET_TYPE")),
        env.get("SEI_VPC_CIDR"),
        Arrays.stream(watch.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet()),
        env.getOrDefault("POD_NAMESPACE", "sei-system"),
        !"false".equalsIgnoreCase(env.getOrDefault("SEI_LEADER_ELECTION", "true")),
        port(env.getOrDefault("HEALTH_PORT", "8081")),
        seconds(env, "SEI_NOT_ROUTABLE_RECHECK_SECONDS", 60),
        seconds(env, "SEI_PEER_SETTLE_SECONDS", 60),
        seconds(env, "SEI_PEER_UPDATE_SECONDS", 15));
  }

  /** What the configuration alone says about publishing (a node's pod IP is checked as well, once it exists). */
  public Routability clusterRoutability() {
    return Routability.ofCluster(targetType, vpcCidr);
  }

  private static Duration seconds(Map<String, String> env, String variable, int fallback) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      return Duration.ofSeconds(fallback);
    }
    try {
      int seconds = Integer.parseInt(value.trim());
      if (seconds >= 0 && seconds <= 3600) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(variable + " must be a whole number of seconds from 0 to 3600, not \""
        + value + "\"");
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("HEALTH_PORT must be a whole number from 0 to 65535, not \"" + value + "\"");
  }
}
