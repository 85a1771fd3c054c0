package io.sei.p2p.testbed;

import java.nio.file.Path;
import java.util.List;

/**
 * The real cert-manager on the local control plane: its CRDs, its controller (the SelfSigned and CA issuers and the
 * Certificate control loops) and its CA injector (webhook configurations), as built by
 * {@code control-plane.sh build cert-manager}.
 */
public final class CertManager implements AutoCloseable {

  private final LocalProcess controller;
  private final LocalProcess cainjector;

  private CertManager(LocalProcess controller, LocalProcess cainjector) {
    this.controller = controller;
    this.cainjector = cainjector;
  }

  /** Installs the CRDs and starts both processes as admin, their logs in {@code workDir}. */
  public static CertManager start(ControlPlane plane, Path workDir) {
    ControlPlaneBinaries binaries = installCrds(plane);
    String kubeconfig = "--kubeconfig=" + plane.kubeconfig();
    LocalProcess controller = LocalProcess.start("cert-manager-controller", List.of(
        binaries.certManagerController().toString(), kubeconfig, "--cluster-resource-namespace=" + Rbac.NAMESPACE,
        "-v=2"), workDir.resolve("cert-manager-controller.log"));
    LocalProcess cainjector = LocalProcess.start("cert-manager-cainjector", List.of(
        binaries.certManagerCainjector().toString(), kubeconfig, "-v=2"),
        workDir.resolve("cert-manager-cainjector.log"));
    return new CertManager(controller, cainjector);
  }

  /** cert-manager's own CRDs, established; returns where its binaries are. */
  public static ControlPlaneBinaries installCrds(ControlPlane plane) {
    ControlPlaneBinaries binaries = ControlPlaneBinaries.locate("cert-manager");
    // --force-conflicts: another test may have applied them already, as another field manager
    Kubectl.Result crds = plane.kubectl().run("apply", "--server-side", "--force-conflicts", "-f",
        binaries.certManagerCrds().toString());
    Kubectl.Result established = plane.kubectl().run("wait", "--for=condition=Established", "--timeout=30s",
        "crd/certificates.cert-manager.io", "crd/certificaterequests.cert-manager.io", "crd/issuers.cert-manager.io");
    if (!crds.succeeded() || !established.succeeded()) {
      throw new IllegalStateException("could not install cert-manager's CRDs: " + crds + established);
    }
    return binaries;
  }

  /** The last lines of both logs, for a failure message. */
  public String tail(int lines) {
    return controller.describeState() + ":\n" + controller.tail(lines) + "\n" + cainjector.describeState() + ":\n"
        + cainjector.tail(lines);
  }

  @Override
  public void close() {
    cainjector.close();
    controller.close();
  }
}
