package io.sei.p2p.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok and tendermint: those in
 * {@code KUBEBUILDER_ASSETS} when set, else the version-keyed cache that {@code testbed/kube/control-plane.sh} fills
 * by building them from Go modules; and, when asked for, the real parts around the system (the AWS Load Balancer
 * Controller, moto, cert-manager).
 */
public record ControlPlaneBinaries(Path folder) {

  public Path etcd() {
    return folder.resolve("etcd");
  }

  public Path kubeApiserver() {
    return folder.resolve("kube-apiserver");
  }

  public Path kubeControllerManager() {
    return folder.resolve("kube-controller-manager");
  }

  public Path kubeScheduler() {
    return folder.resolve("kube-scheduler");
  }

  public Path kubectl() {
    return folder.resolve("kubectl");
  }

  public Path kwok() {
    return folder.resolve("kwok");
  }

  /**
   * Tendermint v0.35.9, the stand-in for seid (whose P2P layer and config descend from it), for tests that run real
   * nodes from the files the node pod's init containers prepare.
   */
  public Path tendermint() {
    return folder.resolve("tendermint");
  }

  /** Part {@code local-path-provisioner}: the real node's storage. */
  public Path localPathProvisioner() {
    return folder.resolve("local-path-provisioner");
  }

  /** Part {@code aws-load-balancer-controller}. */
  public Path awsLoadBalancerController() {
    return folder.resolve("aws-load-balancer-controller");
  }

  public Path awsLoadBalancerControllerCrds() {
    return folder.resolve("aws-load-balancer-controller-crds.yaml");
  }

  /** Parts {@code kubelet}, {@code kube-proxy}, {@code coredns} and {@code pause}: a real node's programs. */
  public Path kubelet() {
    return folder.resolve("kubelet");
  }

  public Path kubeProxy() {
    return folder.resolve("kube-proxy");
  }

  public Path coredns() {
    return folder.resolve("coredns");
  }

  public Path pause() {
    return folder.resolve("pause");
  }

  /** Part {@code moto}. */
  public Path motoServer() {
    return folder.resolve("moto_server");
  }

  /** Part {@code cert-manager}: its controller, its CA injector, and the folder of its CRDs. */
  public Path certManagerController() {
    return folder.resolve("cert-manager-controller");
  }

  public Path certManagerCainjector() {
    return folder.resolve("cert-manager-cainjector");
  }

  /** The folder itself, not the link to it: kubectl reads a linked folder as a file. */
  public Path certManagerCrds() {
    try {
      return folder.resolve("cert-manager-crds").toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cert-manager's CRDs are not built; run control-plane.sh build cert-manager", e);
    }
  }

  /**
   * Runs the build script (a no-op once built) for the control plane and the named {@code parts}; its progress lines
   * go to this process's stderr.
   */
  public static ControlPlaneBinaries locate(String... parts) {
    Path script = RepoRoot.find().resolve("testbed/kube/control-plane.sh");
    List<String> command = new ArrayList<>(List.of("bash", script.toString(), "build"));
    command.addAll(List.of(parts));
    try {
      Process process = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.waitFor() != 0) {
        throw new IllegalStateException("could not obtain the control-plane binaries: " + script
            + " failed (exit " + process.exitValue() + "); its message is printed above");
      }
      Path folder = Path.of(out);
      if (!Files.isExecutable(folder.resolve("kube-apiserver"))) {
        throw new IllegalStateException(script + " printed '" + out + "', which holds no kube-apiserver");
      }
      return new ControlPlaneBinaries(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the control plane", e);
    }
  }
}
