package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.DeploymentChildren;
import io.sei.p2p.resources.SeidSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The main job on an embedded local default: a real control plane whose pods run (kube-scheduler and KWOK); the
 * webhook (twice: on a VPC-routable and on an overlay setting) and the controller as their own processes, each as its
 * ServiceAccount; the load-balancer simulator (or, with {@code --aws-load-balancer-controller}, the real one against
 * moto); the example manifests; and a summary of what happened. Then a kubeconfig to explore with until Ctrl-C
 * ({@code --once} exits after the summary). With {@code --cluster}, the system runs in its pods instead, installed
 * by {@code kubectl apply -k} on a real node of this machine (root).
 */
public final class LocalRun {

  static final String NAMESPACE = "sei-demo";
  static final String OVERLAY_NAMESPACE = "sei-demo-overlay";
  /** How long the examples get to converge; {@code -Dsei.local-run.convergence-seconds} shortens it for a test. */
  private static final Duration CONVERGENCE = Duration.ofSeconds(
      Long.getLong("sei.local-run.convergence-seconds", 120));
  /** Real pods: a data claim each from the local-path provisioner, two init containers, then seid. */
  private static final Duration CLUSTER_CONVERGENCE = Duration.ofMinutes(5);
  /** Peers dial each other with backoff; their counts are printed once they have held still this long. */
  private static final Duration PEERS_SETTLED = Duration.ofSeconds(15);
  private static final Duration PEERS_TIMEOUT = Duration.ofMinutes(3);
  /** Sizes the node fits: the defaults ask for a real validator's 8 CPUs and 64 GiB. */
  private static final String SMALL_NODE = "cpu=50m,memory=256Mi,storage=1Gi";
  private static final String REAL_LOAD_BALANCERS = "--aws-load-balancer-controller";
  private static final String CLUSTER = "--cluster";
  private static final List<String> KNOWN_OPTIONS = List.of("--once", REAL_LOAD_BALANCERS, CLUSTER);
  private static final Duration ROLLOUT = Duration.ofMinutes(3);

  private final ControlPlane plane;

  private LocalRun(ControlPlane plane) {
    this.plane = plane;
  }

  public static void main(String[] args) throws Exception {
    List<String> options = List.of(args);
    for (String option : options) {
      if (!KNOWN_OPTIONS.contains(option)) {
        System.err.println("unknown option '" + option + "'; the options are " + String.join(", ", KNOWN_OPTIONS)
            + " (--once: exit after the summary; " + REAL_LOAD_BALANCERS
            + ": the real AWS Load Balancer Controller against moto instead of the simulator; " + CLUSTER
            + ": a real one-node cluster of this machine, with the system installed in pods by kubectl apply -k; "
            + "needs root)");
        System.exit(2);
      }
    }
    boolean once = options.contains("--once");
    Path examples = RepoRoot.find().resolve("manifests/examples");
    if (options.contains(CLUSTER)) {
      if (options.contains(REAL_LOAD_BALANCERS)) {
        System.err.println(CLUSTER + " runs the load-balancer simulator; " + REAL_LOAD_BALANCERS + " is not available"
            + " with it");
        System.exit(2);
      }
      exitOnFailure(inCluster(examples, once));
      return;
    }
    say("starting a local control plane (the first run builds it from Go modules; later runs start it in seconds)");
    Instant started = Instant.now();
    boolean converged;
    try (ControlPlane plane = ControlPlane.start()) {
      say("kube-apiserver ready at " + plane.apiserverUrl() + " after "
          + Duration.between(started, Instant.now()).toSeconds() + " s, with kube-scheduler and "
          + ControlPlane.NODES.size() + " KWOK nodes that run pods");
      LocalRun run = new LocalRun(plane);
      try (LocalSystem system = LocalSystem.install(plane)) {
        say("installed CRDs seinodes.sei.io and seinodedeployments.sei.io, and the RBAC of manifests/base");
        if (options.contains(REAL_LOAD_BALANCERS)) {
          say("starting moto (the AWS API mock) and the real AWS Load Balancer Controller for namespace " + NAMESPACE
              + " (the first run builds and installs them; minutes)");
          system.startAwsLoadBalancerController(NAMESPACE);
          say("AWS Load Balancer Controller running against moto; log in " + system.runDir());
        } else {
          system.startSimulator(Duration.ofSeconds(2), Duration.ofSeconds(3));
        }
        run.startSystem(system);
        run.applyExamples(examples);
        converged = run.followNodes(CONVERGENCE, () -> { });
        if (!once) {
          say("explore with: " + plane.binaries().kubectl() + " --kubeconfig " + plane.kubeconfig() + " -n "
              + NAMESPACE + " get snd,snode,svc,sts,pods");
          say("process logs are in " + system.runDir() + "; press Ctrl-C to stop");
          CountDownLatch stopped = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
          stopped.await();
        }
      }
    }
    exitOnFailure(converged);
  }

  /**
   * The system as users install it: a control plane with a real worker node of this machine (containerd, bridge CNI,
   * kubelet, kube-proxy, CoreDNS), the project's images imported, {@code kubectl apply -k} of the self-signed overlay
   * (the VPC setting covers the node's pod network, so tcp is published), the simulator, and the examples, whose
   * pods run the seid stand-in on data claims of the local-path provisioner; then each node's peers as it reports them.
   */
  private static boolean inCluster(Path examples, boolean once) throws Exception {
    say("starting a control plane for a real node in its own network namespace at " + NodeNetwork.NODE_ADDRESS
        + " (the first run builds kubelet, kube-proxy and CoreDNS from Go modules; minutes)");
    try (ControlPlane plane = ControlPlane.startForRealNode(
        ControlPlaneBinaries.locate("kubelet", "kube-proxy", "coredns", "pause", "local-path-provisioner"))) {
      HostsFile hostsFile = new HostsFile(Files.createDirectories(plane.workDir().resolve("lb-hosts"))
          .resolve("hosts"));
      try (LocalNode node = LocalNode.start(plane, hostsFile)) {
        say("node " + node.name() + " Ready (containerd, bridge CNI, kubelet, kube-proxy; CoreDNS serves the cluster "
            + "zone and the simulator's names, and never forwards)");
        say("building the images (podman; minutes the first time) and importing them into containerd, with the seid "
            + "stand-in's (Tendermint v0.35.9 behind a seid script; Sei's image cannot be built here)");
        Images images = Images.build();
        node.importImages(images);
        SeidStandIn.importInto(node, plane.binaries());
        node.startLocalPathProvisioner(SeidStandIn.IMAGE);
        say("local-path-provisioner running: StorageClass local-path serves the nodes' data claims");
        Path installation = Installation.write(plane.workDir().resolve("installation"), "self-signed", images,
            LocalSystem.VPC.get("SEI_VPC_CIDR") + "," + LocalNode.CLUSTER_CIDR, Map.of("SEI_STORAGE_CLASS",
                "local-path", "SEI_SIZE_FULL_NODE", SMALL_NODE, "SEI_SIZE_ARCHIVE", SMALL_NODE));
        node.hostNamespace(Rbac.NAMESPACE);
        Kubectl.Result applied = Installation.apply(plane.kubectl(), installation);
        say("kubectl apply --server-side -k manifests/crds, then -k " + installation
            + (applied.succeeded() ? "" : "  FAILED"));
        print(applied.stdout() + applied.stderr());
        if (!applied.succeeded()) {
          return false;
        }
        for (String deployment : List.of(WellKnown.WEBHOOK_NAME, WellKnown.CONTROLLER_NAME)) {
          awaitRolledOut(plane, deployment);
          say(Rbac.NAMESPACE + "/" + deployment + " rolled out");
        }
        try (LoadBalancerSimulator simulator = LoadBalancerSimulator.start(plane.client(), hostsFile,
            Duration.ofSeconds(2), Duration.ofSeconds(3))) {
          LocalRun run = new LocalRun(plane);
          node.hostNamespace(NAMESPACE);
          plane.client().resource(new ConfigMapBuilder().withNewMetadata().withName(LocalSystem.GENESIS_CONFIGMAP)
              .withNamespace(NAMESPACE).endMetadata().addToData(SeidSettings.GENESIS_FILE, SeidStandIn.genesis(
                  plane.binaries().tendermint(), plane.workDir().resolve("genesis"))).build()).create();
          say("ConfigMap " + NAMESPACE + "/" + LocalSystem.GENESIS_CONFIGMAP + " holds the chain's genesis (the "
              + "controller's SEI_GENESIS names it)");
          String standInExamples = standInExamples(examples);
          Kubectl.Result examplesApplied = retryUntilWebhooksAnswer(() -> plane.kubectl().runWithInput(
              standInExamples, "-n", NAMESPACE, "apply", "-f", "-"));
          say("kubectl -n " + NAMESPACE + " apply -f manifests/examples, with image " + Manifests.SEI_IMAGE + " as "
              + SeidStandIn.IMAGE + (examplesApplied.succeeded() ? "" : "  FAILED"));
          print(examplesApplied.stdout() + examplesApplied.stderr());
          // the simulator's names resolve to the pods, as an NLB with IP targets forwards to them
          boolean converged = examplesApplied.succeeded() && run.followNodes(CLUSTER_CONVERGENCE,
              () -> hostsFile.pointPublishedNamesAtPods(plane.client(), NAMESPACE));
          run.printPeers(() -> hostsFile.pointPublishedNamesAtPods(plane.client(), NAMESPACE));
          if (!once) {
            say("explore with: " + plane.binaries().kubectl() + " --kubeconfig " + plane.kubeconfig()
                + " get pods -A -o wide");
            say("press Ctrl-C to stop; the node is then torn down (processes, mounts, its network namespace, "
                + "cgroups)");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
          }
          return converged;
        }
      }
    }
  }

  /** Exit status 1 once everything is torn down, when the examples were not applied or did not all converge. */
  private static void exitOnFailure(boolean succeeded) {
    if (!succeeded) {
      say("exiting with status 1: not every node converged");
      System.exit(1);
    }
  }

  /**
   * The examples (the files of {@code examples}, not its subfolders) with the stand-in's image for Sei's, which cannot
   * be had here.
   */
  private static String standInExamples(Path examples) throws IOException {
    List<String> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        documents.add(Files.readString(file).replace(Manifests.SEI_IMAGE, SeidStandIn.IMAGE));
      }
    }
    return String.join("\n---\n", documents);
  }

  private static void awaitRolledOut(ControlPlane plane, String name) throws InterruptedException {
    Instant deadline = Instant.now().plus(ROLLOUT);
    while (Instant.now().isBefore(deadline)) {
      if (Installation.rolledOut(plane.client().apps().deployments().inNamespace(Rbac.NAMESPACE).withName(name)
          .get())) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException(Rbac.NAMESPACE + "/" + name + " not available within " + ROLLOUT.toSeconds()
        + " s");
  }

  private void startSystem(LocalSystem system) throws Exception {
    for (String ns : List.of(NAMESPACE, OVERLAY_NAMESPACE)) {
      plane.newNamespaceNamed(ns);
    }
    system.startWebhook("webhook", LocalSystem.VPC, NAMESPACE);
    say("webhook running and registered for namespace " + NAMESPACE + " (SEI_VPC_CIDR=10.0.0.0/16, POD_IP=10.0.3.7)");
    system.startWebhook("webhook-overlay", Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "100.64.3.7"),
        OVERLAY_NAMESPACE);
    say("webhook-overlay running and registered for namespace " + OVERLAY_NAMESPACE
        + " (SEI_VPC_CIDR=10.0.0.0/16, POD_IP=100.64.3.7)");
    system.startController(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE + "," + OVERLAY_NAMESPACE), List.of());
    say("controller running as ServiceAccount " + Rbac.NAMESPACE + "/" + Rbac.CONTROLLER
        + " (SEI_VPC_CIDR=10.0.0.0/16, leader election on a Lease in " + Rbac.NAMESPACE + ")");
  }

  private void applyExamples(Path examples) throws InterruptedException {
    Kubectl kubectl = plane.kubectl();
    Kubectl.Result applied = retryUntilWebhooksAnswer(() -> kubectl.run("-n", NAMESPACE, "apply", "-f",
        examples.toString()));
    say("kubectl -n " + NAMESPACE + " apply -f manifests/examples" + (applied.succeeded() ? "" : "  FAILED"));
    print(applied.stdout() + applied.stderr());
    Kubectl.Result refused = retryUntilWebhooksAnswer(() -> kubectl.run("-n", OVERLAY_NAMESPACE, "apply", "-f",
        examples.resolve("not-routable").toString()));
    say("kubectl -n " + OVERLAY_NAMESPACE + " apply -f manifests/examples/not-routable (pod IPs are not VPC addresses "
        + "there) " + (refused.succeeded() ? "was ACCEPTED (unexpected)" : "was refused:"));
    print(refused.stderr());
  }

  /** The apiserver picks up new webhook configurations asynchronously; "no endpoints" style failures are retried. */
  private static Kubectl.Result retryUntilWebhooksAnswer(java.util.function.Supplier<Kubectl.Result> action)
      throws InterruptedException {
    Kubectl.Result result = action.get();
    for (int i = 0; i < 20 && !result.succeeded() && result.stderr().contains("failed calling webhook"); i++) {
      Thread.sleep(500);
      result = action.get();
    }
    return result;
  }

  /**
   * Prints each node's progress as it happens, until every node runs (at most {@code convergence}), then a summary;
   * {@code eachRound} runs before each look. Whether every node runs.
   */
  private boolean followNodes(Duration convergence, Runnable eachRound) throws InterruptedException {
    Map<String, String> lastLine = new HashMap<>();
    Instant deadline = Instant.now().plus(convergence);
    boolean done = false;
    while (!done && Instant.now().isBefore(deadline)) {
      eachRound.run();
      Set<String> runningPods = plane.client().pods().inNamespace(NAMESPACE).list().getItems().stream()
          .filter(pod -> "Running".equals(pod.getStatus().getPhase())).map(pod -> pod.getMetadata().getName())
          .collect(Collectors.toSet());
      List<SeiNode> nodes = plane.client().resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems();
      // a deployment's children appear one reconcile later than the nodes applied directly
      Set<String> names = nodes.stream().map(node -> node.getMetadata().getName()).collect(Collectors.toSet());
      done = !nodes.isEmpty() && plane.client().resources(SeiNodeDeployment.class).inNamespace(NAMESPACE).list()
          .getItems().stream().flatMap(deployment -> DeploymentChildren.desired(deployment).stream())
          .allMatch(child -> names.contains(child.getMetadata().getName()));
      for (SeiNode node : nodes) {
        String line = progress(node);
        if (!line.equals(lastLine.put(node.getMetadata().getName(), line))) {
          say(String.format("%-16s %s", node.getMetadata().getName(), line));
        }
        // done only once the line just printed shows the StatefulSet, so the last step of every node is shown
        done &= node.getStatus() != null && node.getStatus().statefulSet() != null
            && runningPods.contains(WellKnown.podName(node.getMetadata().getName()));
      }
      Thread.sleep(500);
    }
    say(done ? "every node is running; summary:" : "not every node converged within " + convergence.toSeconds()
        + " s; summary so far:");
    for (SeiNode node : plane.client().resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems()) {
      String name = node.getMetadata().getName();
      var config = plane.client().configMaps().inNamespace(NAMESPACE).withName(WellKnown.configMapName(name)).get();
      String toml = config == null ? "" : config.getData().get(SeidSettings.CONFIG_TOML);
      String peers = toml.lines().filter(l -> l.startsWith("persistent-peers")).findFirst().orElse("");
      Pod pod = plane.client().pods().inNamespace(NAMESPACE).withName(WellKnown.podName(name)).get();
      say(String.format("  %-16s address=%s nodeId=%s", name,
          node.getStatus() == null || node.getStatus().externalAddress() == null ? "-"
              : node.getStatus().externalAddress(),
          node.getStatus() == null ? "-" : node.getStatus().nodeId()));
      say(pod == null ? String.format("  %-16s no pod yet", "") : String.format("  %-16s pod %s %s on %s", "",
          pod.getMetadata().getName(), pod.getStatus().getPodIP(), pod.getSpec().getNodeName()));
      say(String.format("  %-16s %s", "", peers));
    }
    return done;
  }

  /**
   * Each node's peers as its seid reports them over RPC ({@code /net_info}, asked inside its pod), once every count
   * has held still for {@link #PEERS_SETTLED} (peers dial each other with backoff), with the peers its log records it
   * connected to: seid's n_peers counts its connected peers, Tendermint v0.35.9's the peers it knows an address of.
   */
  private void printPeers(Runnable eachRound) throws InterruptedException {
    Map<String, String> lines = Map.of();
    Instant settled = Instant.now();
    Instant deadline = Instant.now().plus(PEERS_TIMEOUT);
    while (Instant.now().isBefore(deadline) && Duration.between(settled, Instant.now()).compareTo(PEERS_SETTLED) < 0) {
      eachRound.run();
      List<SeiNode> nodes = plane.client().resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems();
      Map<String, String> names = nodes.stream().filter(node -> node.getStatus() != null
          && node.getStatus().nodeId() != null).collect(Collectors.toMap(node -> node.getStatus().nodeId(),
              node -> node.getMetadata().getName()));
      Map<String, String> now = new TreeMap<>();
      for (SeiNode node : nodes) {
        now.put(node.getMetadata().getName(), peers(node.getMetadata().getName(), names));
      }
      if (!now.equals(lines)) {
        lines = now;
        settled = Instant.now();
      }
      Thread.sleep(2000);
    }
    say("each node's peers, from its RPC (/net_info n_peers: seid counts its connected peers there, the stand-in the "
        + "peers it knows an address of) and from its log (the peers it is connected to):");
    lines.forEach((name, line) -> say(String.format("  %-16s %s", name, line)));
  }

  /** What node {@code name} reports of its peers, naming each connected one by its SeiNode ({@code names}, by ID). */
  private String peers(String name, Map<String, String> names) {
    try {
      int reported = StandInReadings.rpcInPod(plane.kubectl(), NAMESPACE, name, "net_info").path("n_peers").asInt();
      Set<String> connected = StandInReadings.connectedPeersInPod(plane.kubectl(), NAMESPACE, name);
      return "RPC n_peers=" + reported + "; connected to " + connected.size() + " (log)" + (connected.isEmpty() ? ""
          : ": " + connected.stream().map(id -> names.getOrDefault(id, id)).sorted()
              .collect(Collectors.joining(", ")));
    } catch (IllegalStateException e) {
      return "its RPC does not answer yet";
    }
  }

  private static String progress(SeiNode node) {
    boolean tcp = Networking.tcpEnabled(node.getSpec().networking());
    if (node.getStatus() == null || node.getStatus().conditions() == null) {
      return "created" + (tcp ? " (tcp: gets its own NLB)" : "");
    }
    String reason = node.getStatus().conditions().stream().filter(c -> c.getType().equals("Published"))
        .map(c -> c.getReason()).findFirst().orElse("?");
    String statefulSet = node.getStatus().statefulSet() != null ? "StatefulSet created" : "StatefulSet held";
    Condition peers = Conditions.find(node.getStatus().conditions(), "PeersResolved");
    if (peers != null && "WaitingForPeers".equals(peers.getReason()) && node.getStatus().statefulSet() == null) {
      statefulSet += " (waiting for its peers to publish)";
    }
    String address = node.getStatus().externalAddress() == null ? "" : " " + node.getStatus().externalAddress();
    return reason + address + "; " + statefulSet;
  }

  private static void say(String line) {
    System.out.println("sei-p2p: " + line);
  }

  private static void print(String block) {
    block.lines().forEach(line -> System.out.println("    " + line));
  }
}
