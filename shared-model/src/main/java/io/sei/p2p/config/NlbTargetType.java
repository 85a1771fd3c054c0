package io.sei.p2p.config;

import java.util.Locale;

/** How the NLB reaches the node: pod IPs directly ({@code ip}) or node ports on the instances ({@code instance}). */
public enum NlbTargetType {
  IP,
  INSTANCE;

  /** Parses {@code SEI_NLB_TARGET_TYPE}; unset means {@code ip}. Anything else is a configuration error. */
  public static NlbTargetType parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return IP;
    }
    return switch (setting.trim()) {
      case "ip" -> IP;
      case "instance" -> INSTANCE;
      default -> throw new IllegalArgumentException(
          "SEI_NLB_TARGET_TYPE must be \"ip\" or \"instance\", not \"" + setting + "\"");
    };
  }

  /** The value of the AWS Load Balancer Controller's target-type annotation. */
  public String annotationValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
