package io.sei.p2p.validation;

import io.sei.p2p.net.Routability;

/** The rule for {@code networking.tcp} at admission: refuse what cannot be published; ratchet what already is. */
final class TcpPublication {

  private TcpPublication() {
  }

  /**
   * @param field     the tcp member's path, e.g. {@code spec.networking.tcp}
   * @param tcpNow    whether the submitted object sets it
   * @param tcpBefore whether the stored object (UPDATE) already set it at the same place
   */
  static void check(Validation.Builder result, String field, boolean tcpNow, boolean tcpBefore, Routability cluster) {
    if (!tcpNow || cluster.routable()) {
      return;
    }
    if (tcpBefore) {
      result.warning(field + " kept, but this cluster cannot publish: " + cluster.reason());
      return;
    }
    result.problem(field, "this cluster cannot publish nodes over tcp: " + cluster.reason()
        + ". Remove " + field + ", or run the sei-p2p webhook and controller with SEI_VPC_CIDR set to the VPC CIDRs "
        + "that contain the pod IPs (or SEI_NLB_TARGET_TYPE=instance)");
  }
}
