package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.config.PodSettings.GenesisSource;
import io.sei.p2p.config.Settings;
import io.sei.p2p.model.NodeModes.Mode;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.net.Routability;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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
    Duration peerUpdateSpacing,
    Duration ec2Refresh,
    URI ec2Endpoint,
    String toolsImage,
    String storageClass,
    Map<Mode, NodeSize> sizes,
    Map<String, GenesisSource> genesis) {

  public static final String LEASE_NAME = "sei-p2p-controller";
  /** The image of manifests/base/controller.yaml, whose SEI_TOOLS_IMAGE names it too. */
  public static final String DEFAULT_TOOLS_IMAGE = "sei-p2p-controller:0.1.0";
  /** The genesis source of every chain not named on its own. */
  public static final String ANY_CHAIN = "*";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CONFIG_MAP_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  /** Per mode: the seid container's CPU request and memory (request and limit), and the data claim's size. */
  private static final Map<Mode, String> DEFAULT_SIZES = Map.of(
      Mode.FULL_NODE, "cpu=8,memory=64Gi,storage=2000Gi",
      Mode.VALIDATOR, "cpu=8,memory=64Gi,storage=2000Gi",
      Mode.REPLAYER, "cpu=8,memory=64Gi,storage=2000Gi",
      Mode.ARCHIVE, "cpu=16,memory=128Gi,storage=40Ti");

  /** A mode's pod resources and data size. */
  public record NodeSize(ResourceRequirements resources, Quantity storage) {
  }

  public static ControllerConfig fromEnv(Map<String, String> env) {
    return new ControllerConfig(
        NlbTargetType.parse(env.get("SEI_NLB_TARGET_TYPE")),
        Routability.vpcCidrSetting(env.get("SEI_VPC_CIDR")),
        Settings.list(env, "SEI_WATCH_NAMESPACES"),
        env.getOrDefault("POD_NAMESPACE", WellKnown.INSTALL_NAMESPACE),
        Settings.bool(env, "SEI_LEADER_ELECTION", true),
        Settings.port(env, "HEALTH_PORT", 8081),
        Settings.seconds(env, "SEI_NOT_ROUTABLE_RECHECK_SECONDS", 60, 0, 3600),
        Settings.seconds(env, "SEI_PEER_SETTLE_SECONDS", 60, 0, 3600),
        Settings.seconds(env, "SEI_PEER_UPDATE_SECONDS", 15, 0, 3600),
        // at least 5 s: each period costs one DescribeInstances per ec2Tags source
        Settings.seconds(env, "SEI_EC2_REFRESH_SECONDS", 60, 5, 3600),
        ec2Endpoint(env.get("SEI_EC2_ENDPOINT")),
        env.getOrDefault("SEI_TOOLS_IMAGE", DEFAULT_TOOLS_IMAGE),
        blankToNull(env.get("SEI_STORAGE_CLASS")),
        sizes(env),
        genesis(env.getOrDefault("SEI_GENESIS", "")));
  }

  /** What the settings say about {@code node}'s pod and data. */
  public PodSettings podSettings(SeiNode node) {
    NodeSize size = sizes.get(Mode.of(node.getSpec()));
    GenesisSource source = genesis.getOrDefault(node.getSpec().chainId(), genesis.get(ANY_CHAIN));
    return new PodSettings(toolsImage, size.resources(), storageClass, size.storage(), source);
  }

  /** SEI_SIZE_FULL_NODE, SEI_SIZE_ARCHIVE, ...: {@code cpu=8,memory=64Gi,storage=2000Gi}, each part optional. */
  private static Map<Mode, NodeSize> sizes(Map<String, String> env) {
    Map<Mode, NodeSize> sizes = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      String variable = "SEI_SIZE_" + mode.name();
      Map<String, Quantity> parts = new HashMap<>();
      for (String text : List.of(DEFAULT_SIZES.get(mode), env.getOrDefault(variable, ""))) {
        for (String part : text.split(",")) {
          if (part.isBlank()) {
            continue;
          }
          String[] pair = part.split("=", 2);
          String name = pair[0].trim();
          if (pair.length != 2 || !List.of("cpu", "memory", "storage").contains(name)) {
            throw new IllegalArgumentException(variable + " takes cpu=, memory= and storage= separated by commas "
                + "(e.g. cpu=8,memory=64Gi,storage=2000Gi), not \"" + text + "\"");
          }
          parts.put(name, quantity(variable, name, pair[1].trim()));
        }
      }
      sizes.put(mode, new NodeSize(new ResourceRequirementsBuilder()
          .addToRequests("cpu", parts.get("cpu")).addToRequests("memory", parts.get("memory"))
          .addToLimits("memory", parts.get("memory")).build(), parts.get("storage")));
    }
    return sizes;
  }

  private static Quantity quantity(String variable, String name, String text) {
    try {
      Quantity quantity = new Quantity(text);
      if (Quantity.getAmountInBytes(quantity).signum() > 0) {
        return quantity;
      }
    } catch (IllegalArgumentException | ArithmeticException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(variable + ": " + name + " must be a positive quantity such as 8, 500m or "
        + "64Gi, not \"" + text + "\"");
  }

  /**
   * SEI_GENESIS: {@code <chain>=<source>} separated by commas, {@code *} for every other chain; a source is
   * {@code configmap:<name>} (its genesis.json key, in the node's namespace) or {@code <http(s) URL>#sha256=<hex>}.
   */
  private static Map<String, GenesisSource> genesis(String text) {
    Map<String, GenesisSource> sources = new HashMap<>();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] pair = entry.split("=", 2);
      GenesisSource source = pair.length == 2 ? genesisSource(pair[1].trim()) : null;
      if (source == null || pair[0].isBlank()) {
        throw new IllegalArgumentException("SEI_GENESIS takes <chain>=configmap:<name> or "
            + "<chain>=https://<url>#sha256=<64 hex digits>, separated by commas (<chain> * for any other), not \""
            + entry.trim() + "\"");
      }
      sources.put(pair[0].trim(), source);
    }
    return Map.copyOf(sources);
  }

  private static GenesisSource genesisSource(String text) {
    if (text.startsWith("configmap:")) {
      String name = text.substring("configmap:".length());
      return CONFIG_MAP_NAME.matcher(name).matches() ? GenesisSource.ofConfigMap(name) : null;
    }
    int fragment = text.lastIndexOf("#sha256=");
    if ((text.startsWith("https://") || text.startsWith("http://")) && fragment > 0) {
      String sha256 = text.substring(fragment + "#sha256=".length());
      return SHA256.matcher(sha256).matches() ? GenesisSource.ofUrl(text.substring(0, fragment), sha256) : null;
    }
    return null;
  }

  /** SEI_EC2_ENDPOINT: where EC2 calls go instead of the region's endpoint (a VPC endpoint); unset: the region's. */
  private static URI ec2Endpoint(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      URI uri = new URI(value.trim());
      if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("SEI_EC2_ENDPOINT must be an http(s) URL such as "
        + "https://ec2.us-east-2.amazonaws.com, not \"" + value + "\"");
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** What the configuration alone says about publishing (a node's pod IP is checked as well, once it exists). */
  public Routability clusterRoutability() {
    return Routability.ofCluster(targetType, vpcCidr);
  }
}
