package io.sei.p2p.webhook;

import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.net.Routability;
import io.sei.p2p.validation.DeploymentValidation;
import io.sei.p2p.validation.NodeValidation;
import io.sei.p2p.validation.SecretReferences;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/** The five admission paths and what each one serves. */
public final class Endpoints {

  public static final String MUTATE_SEINODES = "/mutate/seinodes";
  public static final String MUTATE_SEINODEDEPLOYMENTS = "/mutate/seinodedeployments";
  public static final String VALIDATE_SEINODES = "/validate/seinodes";
  public static final String VALIDATE_SEINODEDEPLOYMENTS = "/validate/seinodedeployments";
  public static final String VALIDATE_STATEFULSETS = "/validate/statefulsets";

  private static final AdmissionRequest.GroupKind SEINODE = new AdmissionRequest.GroupKind(WellKnown.GROUP, "SeiNode");
  private static final AdmissionRequest.GroupKind SEINODEDEPLOYMENT =
      new AdmissionRequest.GroupKind(WellKnown.GROUP, "SeiNodeDeployment");
  private static final AdmissionRequest.GroupKind STATEFULSET = new AdmissionRequest.GroupKind("apps", "StatefulSet");
  private static final Set<String> CREATE_UPDATE = Set.of("CREATE", "UPDATE");

  private Endpoints() {
  }

  /**
   * @param cluster whether this cluster can publish (fixed for the life of the process)
   * @param secrets whether a node's author may read the Secrets it names
   */
  static List<Endpoint> all(Routability cluster, OwnerLookup owners, SecretAccess secrets) {
    return List.of(
        new Endpoint(MUTATE_SEINODES, SEINODE, CREATE_UPDATE, true, defaulter(Networking.SEINODE_BLOCKS)),
        new Endpoint(MUTATE_SEINODEDEPLOYMENTS, SEINODEDEPLOYMENT, CREATE_UPDATE, true,
            defaulter(Networking.DEPLOYMENT_BLOCKS)),
        new Endpoint(VALIDATE_SEINODES, SEINODE, CREATE_UPDATE, false,
            new ValidatingAdmitter<>(SeiNode.class, node -> null,
                (node, old) -> NodeValidation.validate(node, old, cluster),
                (node, old) -> SecretReferences.added(node.getSpec(), old == null ? null : old.getSpec(), "spec"),
                secrets)),
        new Endpoint(VALIDATE_SEINODEDEPLOYMENTS, SEINODEDEPLOYMENT, CREATE_UPDATE, false,
            new ValidatingAdmitter<>(SeiNodeDeployment.class,
                deployment -> deployment.getSpec().template() == null ? "spec.template"
                    : deployment.getSpec().template().spec() == null ? "spec.template.spec" : null,
                (deployment, old) -> DeploymentValidation.validate(deployment, old, cluster),
                (deployment, old) -> SecretReferences.added(deployment.getSpec().template().spec(),
                    old == null ? null : old.getSpec().template().spec(), "spec.template.spec"),
                secrets)),
        new Endpoint(VALIDATE_STATEFULSETS, STATEFULSET, Set.of("CREATE"), false,
            new StatefulSetGateAdmitter(owners)));
  }

  private static Admitter defaulter(List<String> blocks) {
    return request -> Future.succeededFuture(
        AdmissionResponse.patched(Networking.defaultingPatch(request.object(), blocks)));
  }
}
