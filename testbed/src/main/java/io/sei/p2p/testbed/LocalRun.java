package io.sei.p2p.testbed;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The main job on an embedded local default: a real control plane, the CRDs, the example manifests, a summary
 * of what happened, then a kubeconfig to explore with until Ctrl-C. {@code --once} exits after the summary.
 */
public final class LocalRun {

  static final String NAMESPACE = "sei-demo";

  private LocalRun() {
  }

  public static void main(String[] args) throws InterruptedException {
    boolean once = List.of(args).contains("--once");
    Path examples = RepoRoot.find().resolve("manifests/examples");
    say("starting a local control plane (the first run builds it from Go modules; later runs take seconds)");
    Instant started = Instant.now();
    try (ControlPlane plane = ControlPlane.start()) {
      say("kube-apiserver ready at " + plane.apiserverUrl() + " after "
          + Duration.between(started, Instant.now()).toSeconds() + " s");
      Crds.install(plane.client());
      say("installed CRDs seinodes.sei.io and seinodedeployments.sei.io");
      plane.newNamespaceNamed(NAMESPACE);
      Kubectl kubectl = plane.kubectl();
      Kubectl.Result applied = kubectl.run("-n", NAMESPACE, "apply", "-f", examples.toString());
      say("kubectl apply -f manifests/examples -n " + NAMESPACE + (applied.succeeded() ? "" : " FAILED"));
      print(applied.stdout() + applied.stderr());
      say("stored objects:");
      print(kubectl.run("-n", NAMESPACE, "get", "seinodedeployments,seinodes", "-o", "wide").stdout());
      if (once) {
        return;
      }
      say("explore with: " + plane.binaries().kubectl() + " --kubeconfig " + plane.kubeconfig() + " -n " + NAMESPACE
          + " get snd,snode");
      say("press Ctrl-C to stop");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
  }

  private static void say(String line) {
    System.out.println("sei-p2p: " + line);
  }

  private static void print(String block) {
    block.lines().forEach(line -> System.out.println("    " + line));
  }
}
