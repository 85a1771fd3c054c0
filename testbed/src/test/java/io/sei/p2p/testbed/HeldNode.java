package io.sei.p2p.testbed;

import java.nio.file.Files;

/**
 * A real node and its control plane that run until the process is killed: {@link HostSafetyIT} kills it as a crash
 * would, leaving everything behind for the next node to tear down. Prints its control plane's folder once Ready.
 */
public final class HeldNode {

  private HeldNode() {
  }

  public static void main(String[] args) throws Exception {
    ControlPlane plane = ControlPlane.startForRealNode(
        ControlPlaneBinaries.locate("kubelet", "kube-proxy", "coredns", "pause"));
    HostsFile hostsFile = new HostsFile(Files.createDirectories(plane.workDir().resolve("lb-hosts")).resolve("hosts"));
    LocalNode.start(plane, hostsFile);
    System.out.println("ready " + plane.workDir());
    Thread.sleep(Long.MAX_VALUE);
  }
}
