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
    Duration notRoutableRecheck) {

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
        Duration.ofSeconds(60));
  }

  /** What the configuration alone says about publishing (a node's pod IP is checked as well, once it exists). */
  public Routability clusterRoutability() {
    return Routability.ofCluster(targetType, vpcCidr);
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
