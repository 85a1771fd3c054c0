package io.sei.p2p.validation;

import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.SeiNodeDeploymentSpec;
import io.sei.p2p.net.Routability;
import java.util.List;

/** Admission checks of a SeiNodeDeployment beyond what the CRD schema enforces. */
public final class DeploymentValidation {

  private DeploymentValidation() {
  }

  /** {@code old} is null on CREATE. */
  public static Validation validate(SeiNodeDeployment deployment, SeiNodeDeployment old, Routability cluster) {
    Validation.Builder result = new Validation.Builder();
    SeiNodeDeploymentSpec spec = deployment.getSpec();
    SeiNodeDeploymentSpec oldSpec = old == null ? null : old.getSpec();
    TcpPublication.check(result, "spec.networking.tcp", Networking.tcpEnabled(spec.networking()),
        oldSpec != null && Networking.tcpEnabled(oldSpec.networking()), cluster);
    TcpPublication.check(result, "spec.template.spec.networking.tcp",
        Networking.tcpEnabled(spec.template().spec().networking()),
        oldSpec != null && Networking.tcpEnabled(oldSpec.template().spec().networking()), cluster);
    Overrides.warnUnplaced(result, "spec.template.spec.overrides", spec.template().spec().overrides());
    result.problems(Ratchet.newOnly(problems(deployment), old == null ? List.of() : problems(old)));
    return result.build();
  }

  /**
   * What is wrong with the object itself, whatever the cluster: what the webhook refuses on CREATE, and what the
   * controller refuses to act on (the webhook may have been down or bypassed).
   */
  public static List<FieldProblem> problems(SeiNodeDeployment deployment) {
    return Ratchet.concat(
        DerivedNames.checkDeployment(deployment.getMetadata().getName(), deployment.getSpec().replicasOrDefault(),
            "metadata.name"),
        PeerSources.check(deployment.getSpec().template().spec().peers(), "spec.template.spec.peers"));
  }
}
