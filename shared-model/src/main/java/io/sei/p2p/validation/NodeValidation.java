package io.sei.p2p.validation;

import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.net.Routability;
import java.util.List;

/** Admission checks of a SeiNode beyond what the CRD schema enforces. */
public final class NodeValidation {

  private NodeValidation() {
  }

  /** {@code old} is null on CREATE. */
  public static Validation validate(SeiNode node, SeiNode old, Routability cluster) {
    Validation.Builder result = new Validation.Builder();
    TcpPublication.check(result, "spec.networking.tcp", Networking.tcpEnabled(node.getSpec().networking()),
        old != null && Networking.tcpEnabled(old.getSpec().networking()), cluster);
    Overrides.warnUnplaced(result, "spec.overrides", node.getSpec().overrides());
    result.problems(Ratchet.newOnly(problems(node), old == null ? List.of() : problems(old)));
    return result.build();
  }

  /**
   * What is wrong with the object itself, whatever the cluster: what the webhook refuses on CREATE, and what the
   * controller refuses to act on (the webhook may have been down or bypassed).
   */
  public static List<FieldProblem> problems(SeiNode node) {
    return Ratchet.concat(
        DerivedNames.checkNode(node.getMetadata().getName(), "metadata.name"),
        PeerSources.check(node.getSpec().peers(), "spec.peers"));
  }
}
