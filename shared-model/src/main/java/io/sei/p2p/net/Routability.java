package io.sei.p2p.net;

import io.sei.p2p.config.NlbTargetType;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a per-node NLB can reach the node. With {@code ip} targets the NLB sends traffic straight to pod IPs,
 * which works only when pod IPs are VPC addresses; overlay networks (CGNAT pod IPs) cannot publish. Unknown means
 * no: every doubt fails closed.
 */
public record Routability(boolean routable, String reason) {

  /**
   * {@code SEI_VPC_CIDR} as a process reads it at start: unset (tcp is then refused, fail closed) or a valid list; a
   * malformed one stops the process, naming the setting, rather than refusing tcp for a typo.
   */
  public static String vpcCidrSetting(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Cidr.parseList(value);
      return value;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SEI_VPC_CIDR must be comma-separated CIDRs such as 10.0.0.0/16,"
          + "100.64.0.0/16, not \"" + value + "\": " + e.getMessage(), e);
    }
  }

  /** {@code POD_IP} as the webhook reads it at start: unset (tcp refused) or an IP address, else the process stops. */
  public static String podIpSetting(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (Cidr.IpAddress.parse(value.trim()) == null) {
      throw new IllegalArgumentException("POD_IP must be the pod's IP address (the downward API's status.podIP), not "
          + "\"" + value + "\"");
    }
    return value.trim();
  }

  /** What the cluster's configuration alone says (the controller's first check). */
  public static Routability ofCluster(NlbTargetType targetType, String vpcCidrSetting) {
    if (targetType == NlbTargetType.INSTANCE) {
      return new Routability(true, "NLB target type is instance (node IPs are VPC addresses)");
    }
    if (vpcCidrSetting == null || vpcCidrSetting.isBlank()) {
      return new Routability(false, "SEI_VPC_CIDR is not configured");
    }
    try {
      Cidr.parseList(vpcCidrSetting);
      return new Routability(true, "SEI_VPC_CIDR is " + vpcCidrSetting.trim());
    } catch (IllegalArgumentException e) {
      return new Routability(false, "SEI_VPC_CIDR is not a valid CIDR list: " + e.getMessage());
    }
  }

  /** The configuration plus a pod's IP (the webhook's own, or the node's pod's), which must be a VPC address. */
  public static Routability ofPod(NlbTargetType targetType, String vpcCidrSetting, String podIp) {
    Routability cluster = ofCluster(targetType, vpcCidrSetting);
    if (!cluster.routable() || targetType == NlbTargetType.INSTANCE) {
      return cluster;
    }
    if (podIp == null || podIp.isBlank()) {
      return new Routability(false, "the pod IP is unknown (POD_IP is not set), so it cannot be checked against "
          + "SEI_VPC_CIDR");
    }
    byte[] address = Cidr.IpAddress.parse(podIp.trim());
    if (address == null) {
      return new Routability(false, "pod IP \"" + podIp + "\" is not an IP address");
    }
    List<Cidr> cidrs = Cidr.parseList(vpcCidrSetting);
    for (Cidr cidr : cidrs) {
      if (cidr.contains(address)) {
        return new Routability(true, "pod IP " + podIp.trim() + " is inside VPC CIDR " + cidr);
      }
    }
    String list = cidrs.stream().map(Cidr::toString).collect(Collectors.joining(", "));
    return new Routability(false, "pod IP " + podIp.trim() + " is outside VPC CIDR" + (cidrs.size() > 1 ? "s " : " ")
        + list + " (overlay network)");
  }
}
