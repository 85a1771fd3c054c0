package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.resources.SeidSettings;
import io.sei.p2p.webhook.Endpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The fault runs of BENCHMARKS.md's Reliability table. Each starts the local system afresh, injects one fault into a
 * converging fleet (or a loaded webhook), checks what must hold, and prints what it measured; a broken check fails
 * the run (exit code 1).
 *
 * <p>Arguments: {@code --nodes 300} (fleet size for the controller faults), {@code --soak-seconds 600} (webhook soak);
 * 0 skips them.
 */
public final class FaultBenchmark {

  private static final String NAMESPACE = "sei-faults";
  private static final Duration CONVERGENCE_LIMIT = Duration.ofMinutes(15);
  private static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in");
  private static final Pattern WRK_ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: (.*)");

  private final List<String[]> rows = new ArrayList<>();
  private final List<String> broken = new ArrayList<>();

  private FaultBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    BenchmarkOptions options = BenchmarkOptions.parse(args, Map.of("--nodes", "300", "--soak-seconds", "600"));
    int nodes = options.number("--nodes");
    int soak = options.number("--soak-seconds");
    FaultBenchmark run = new FaultBenchmark();
    if (nodes > 0) {
      run.controllerKilled(nodes);
      run.leaderKilled(nodes);
      run.apiserverOutage(nodes);
    }
    if (soak > 0) {
      run.webhookSoak(Duration.ofSeconds(soak));
    }
    System.out.println();
    System.out.println("| fault | load | what was checked | result |");
    System.out.println("|---|---|---|---|");
    run.rows.forEach(row -> System.out.println("| " + String.join(" | ", row) + " |"));
    if (!run.broken.isEmpty()) {
      System.out.println();
      run.broken.forEach(problem -> System.out.println("BROKEN: " + problem));
      System.exit(1);
    }
  }

  /** SIGKILL of the controller mid-convergence, a new one 5 s later: nothing duplicated, lost or restarted. */
  private void controllerKilled(int nodes) throws Exception {
    say("controller killed: %d nodes", nodes);
    try (ControlPlane plane = ControlPlane.start(); LocalSystem system = LocalSystem.install(plane)) {
      KubernetesClient client = plane.client();
      Fleet fleet = Fleet.start(plane, system, nodes);
      try (PodStarts pods = new PodStarts(client, NAMESPACE)) {
        system.startController(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE), List.of());
        fleet.apply();
        until(CONVERGENCE_LIMIT, () -> fleet.published() >= nodes / 3);
        Snapshot before = Snapshot.of(client);
        system.controller().handle().destroyForcibly();
        system.controller().awaitExit(Duration.ofSeconds(10));
        Thread.sleep(5_000);
        Instant restarted = Instant.now();
        system.startController(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE), List.of());
        boolean converged = fleet.awaitConverged(restarted.plus(CONVERGENCE_LIMIT));
        Snapshot after = Snapshot.of(client);
        check(converged, "controller killed: the fleet converged");
        int lostIds = before.changed(after, Snapshot::nodeIds);
        int lostAddresses = before.changed(after, Snapshot::addresses);
        int services = client.services().inNamespace(NAMESPACE).list().getItems().size();
        int keys = client.secrets().inNamespace(NAMESPACE).list().getItems().size();
        check(lostIds == 0, "controller killed: node IDs kept");
        check(lostAddresses == 0, "controller killed: addresses kept");
        check(services == 2 * nodes, "controller killed: one headless and one NLB Service per node, got " + services);
        check(keys == nodes, "controller killed: one node key per node, got " + keys);
        check(pods.restarts() == 0, "controller killed: no pod restarted, got " + pods.restarts());
        rows.add(new String[] {"controller `kill -9` at a third published, restarted 5 s later",
            nodes + " tcp nodes (ring of " + FleetBenchmark.ringDeployments(nodes) + " deployments)",
            "convergence; node IDs and addresses of the " + before.nodeIds().size() + " and "
                + before.addresses().size() + " nodes that had them; Services, keys, pod restarts",
            String.format("converged %d s after the restart; %d IDs and %d addresses changed; %d Services, %d keys; "
                    + "%d restarts", Duration.between(restarted, fleet.convergedAt()).toSeconds(), lostIds,
                lostAddresses, services, keys, pods.restarts())});
      }
    }
  }

  /** Two replicas; the leader is SIGKILLed: the standby leads within the Lease's duration; they never both write. */
  private void leaderKilled(int nodes) throws Exception {
    say("leader killed: %d nodes, two replicas", nodes);
    try (ControlPlane plane = ControlPlane.start(); LocalSystem system = LocalSystem.install(plane)) {
      KubernetesClient client = plane.client();
      Fleet fleet = Fleet.start(plane, system, nodes);
      try (PodStarts pods = new PodStarts(client, NAMESPACE)) {
        system.startController(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE), List.of(userAgent("a")));
        LocalProcess first = system.controller();
        until(Duration.ofSeconds(60), () -> holder(client) != null);
        system.startController(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE), List.of(userAgent("b")));
        String leader = holder(client);
        fleet.apply();
        until(CONVERGENCE_LIMIT, () -> fleet.published() >= nodes / 3);
        first.handle().destroyForcibly();
        Instant killed = Instant.now();
        first.awaitExit(Duration.ofSeconds(10));
        until(Duration.ofSeconds(60), () -> !Objects.equals(holder(client), leader));
        Duration takeover = Duration.between(killed, Instant.now());
        boolean converged = fleet.awaitConverged(killed.plus(CONVERGENCE_LIMIT));
        List<AuditLog.Request> writes = AuditLog.writes(plane.auditLog(),
            AuditLog.serviceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER), Instant.EPOCH);
        Instant lastOfA = writes.stream().filter(w -> w.userAgent().equals("sei-p2p-controller-a"))
            .map(AuditLog.Request::at).max(Instant::compareTo).orElse(Instant.EPOCH);
        Instant firstOfB = writes.stream().filter(w -> w.userAgent().equals("sei-p2p-controller-b"))
            .map(AuditLog.Request::at).min(Instant::compareTo).orElse(Instant.MAX);
        check(converged, "leader killed: the fleet converged");
        Duration allowed = Controller.LEASE_DURATION.plusSeconds(6); // and a retry period and a renewal's round trip
        check(takeover.compareTo(allowed) <= 0, "leader killed: the standby led within the Lease's duration, took "
            + takeover.toSeconds() + " s");
        check(lastOfA.isBefore(firstOfB), "leader killed: the replicas never both wrote");
        check(pods.restarts() == 0, "leader killed: no pod restarted, got " + pods.restarts());
        rows.add(new String[] {"two replicas; the leader `kill -9`ed at a third published",
            nodes + " tcp nodes", "the standby leads within the Lease duration (40 s), a retry period (4 s) and a "
                + "renewal's round trip (46 s in all); no interval in which both replicas write (audit log, by user "
                + "agent); convergence; pod restarts",
            String.format("standby led after %d s; the leader's last write came %d ms before the standby's first; "
                    + "converged %d s after the kill; %d restarts", takeover.toSeconds(),
                Duration.between(lastOfA, firstOfB).toMillis(),
                Duration.between(killed, fleet.convergedAt()).toSeconds(), pods.restarts())});
      }
    }
  }

  /** kube-apiserver down for 20 s mid-convergence: both processes recover by themselves, nothing is duplicated. */
  private void apiserverOutage(int nodes) throws Exception {
    say("apiserver outage: %d nodes", nodes);
    try (ControlPlane plane = ControlPlane.start(); LocalSystem system = LocalSystem.install(plane)) {
      Fleet fleet = Fleet.start(plane, system, nodes);
      try (PodStarts pods = new PodStarts(plane.client(), NAMESPACE)) {
        system.startController(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE), List.of());
        fleet.apply();
        until(CONVERGENCE_LIMIT, () -> fleet.published() >= nodes / 3);
        ReadinessWatch readiness = new ReadinessWatch(system);
        Instant down = Instant.now();
        plane.restartApiserver(Duration.ofSeconds(20));
        Instant up = Instant.now();
        boolean admitted = until(Duration.ofSeconds(60), () -> admitsALegacyNode(plane));
        Duration webhookAnswered = Duration.between(up, Instant.now());
        boolean converged = fleet.awaitConverged(up.plus(CONVERGENCE_LIMIT));
        readiness.close();
        KubernetesClient client = plane.client();
        int services = client.services().inNamespace(NAMESPACE).list().getItems().size();
        Set<String> ids = client.resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems().stream()
            .map(node -> node.getStatus().nodeId()).collect(Collectors.toSet());
        check(converged, "apiserver outage: the fleet converged");
        check(readiness.controllerWasUnready, "apiserver outage: the controller's /readyz failed during it");
        check(!readiness.webhookWasUnready, "apiserver outage: the webhook stayed ready (it needs no watch to answer)");
        check(admitted, "apiserver outage: the webhook admitted a SeiNode within 60 s of the return");
        // an informer still in its reconnect backoff (up to 32 s) is not watching yet, and the controller says so
        boolean ready = until(Duration.ofSeconds(60), () -> LocalSystem.ready(system.controllerHealthPort()));
        Instant readyAt = Instant.now();
        check(ready && system.controller().isAlive() && system.webhook().isAlive(),
            "apiserver outage: the controller ready again without a restart, within 60 s of the fleet's convergence");
        check(services == 2 * nodes && ids.size() == nodes, "apiserver outage: nothing duplicated");
        check(pods.restarts() == 0, "apiserver outage: no pod restarted, got " + pods.restarts());
        rows.add(new String[] {"kube-apiserver stopped for 20 s at a third published, restarted on the same etcd",
            nodes + " tcp nodes", "/readyz of both processes during and after; a SeiNode admitted after it; "
                + "convergence without restarting them; Services, node IDs, pod restarts",
            String.format("the webhook ready throughout, admitting %d s after the apiserver was back; the controller "
                    + "unready during the outage, ready %d s after it; converged %d s after it (%d s down in all); %d "
                    + "Services, %d distinct node IDs; %d restarts", webhookAnswered.toSeconds(),
                Duration.between(up, readyAt).toSeconds(), Duration.between(up, fleet.convergedAt()).toSeconds(),
                Duration.between(down, up).toSeconds(), services, ids.size(), pods.restarts())});
      }
    }
  }

  /**
   * The webhook under 16 keep-alive connections (as the apiserver calls) for {@code length}, with the Deployment's
   * memory limit as JVM flags: no failed request, resident memory flat after warm-up.
   */
  private void webhookSoak(Duration length) throws Exception {
    say("webhook soak: %d s", length.toSeconds());
    try (ControlPlane plane = ControlPlane.start(); LocalSystem system = LocalSystem.install(plane)) {
      plane.newNamespaceNamed(NAMESPACE);
      Map<String, String> env = new HashMap<>(LocalSystem.VPC);
      env.put("MAX_IN_FLIGHT", "32");
      system.startWebhook("webhook", env, NAMESPACE, List.of()); // with the image's settings and memory limit
      long pid = system.webhook().handle().pid();
      int port = system.webhookHttpsPort();
      Path script = Files.writeString(Files.createTempFile("review", ".lua"), """
          wrk.method = "POST"
          wrk.headers["Content-Type"] = "application/json"
          wrk.body = [[%s]]
          """.formatted(new String(Files.readAllBytes(RepoRoot.find()
              .resolve("webhook/src/test/resources/reviews/mutate-seinode-legacy.json")))));
      List<Long> rss = new ArrayList<>();
      Process wrk = new ProcessBuilder("wrk", "-t2", "-c16", "-d" + length.toSeconds() + "s", "--latency",
          "-s", script.toString(), "https://127.0.0.1:" + port + Endpoints.MUTATE_SEINODES)
          .redirectErrorStream(true).start();
      Instant until = Instant.now().plus(length);
      while (Instant.now().isBefore(until)) {
        rss.add(rssKib(pid));
        Thread.sleep(Math.max(1000, length.toMillis() / 60));
      }
      String report = new String(wrk.getInputStream().readAllBytes());
      wrk.waitFor();
      Matcher requests = WRK_REQUESTS.matcher(report);
      long answered = requests.find() ? Long.parseLong(requests.group(1)) : 0;
      boolean failures = WRK_ERRORS.matcher(report).find();
      long warm = rss.get(rss.size() / 5);
      long last = rss.get(rss.size() - 1);
      long peak = rss.stream().mapToLong(Long::longValue).max().orElse(0);
      check(answered > 0 && !failures, "webhook soak: no failed request\n" + report);
      check(last <= warm * 1.10, "webhook soak: resident memory flat after warm-up (" + warm / 1024 + " MiB at a "
          + "fifth, " + last / 1024 + " MiB at the end)");
      rows.add(new String[] {"webhook soak: 16 keep-alive TLS connections (wrk) for " + length.toSeconds() + " s",
          "mutate reviews as fast as they are answered; JVM limited as in the Deployment (-XX:MaxRAM=384m)",
          "failed requests; resident memory after warm-up (a fifth of the run) against the end",
          String.format("%,d reviews, none failed; RSS %d MiB after warm-up, %d MiB at the end, %d MiB at most",
              answered, warm / 1024, last / 1024, peak / 1024)});
    }
  }

  /** A legacy SeiNode, created as a server-side dry run, comes back defaulted to http: the webhook answered. */
  private static boolean admitsALegacyNode(ControlPlane plane) {
    String legacy = Manifests.seiNode("after-outage", "networking: {}\n  fullNode: {}");
    Kubectl.Result created = plane.kubectl().runWithInput(legacy, "create", "--dry-run=server", "-n", NAMESPACE,
        "-o", "jsonpath={.spec.networking}", "-f", "-");
    return created.succeeded() && created.stdout().contains("\"http\"");
  }

  /** Polls {@code condition} twice a second (the lists behind it are large); false if it never held in time. */
  private static boolean until(Duration limit, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private void check(boolean holds, String what) {
    if (!holds) {
      broken.add(what);
    }
  }

  private static String userAgent(String replica) {
    return "-Dkubernetes.user.agent=sei-p2p-controller-" + replica;
  }

  private static String holder(KubernetesClient client) {
    Lease lease = client.resources(Lease.class).inNamespace(Rbac.NAMESPACE).withName(ControllerConfig.LEASE_NAME)
        .get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static long rssKib(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.startsWith("VmRSS:")).map(line -> line.replaceAll("\\D", ""))
        .mapToLong(Long::parseLong).findFirst().orElse(0);
  }

  private static void say(String format, Object... args) {
    System.out.println("faults: " + String.format(format, args));
  }

  /** A ring of tcp deployments in the benchmark's namespace, with the webhook and the simulator. */
  private static final class Fleet {
    private final ControlPlane plane;
    private final int nodes;
    private Instant convergedAt;

    private Fleet(ControlPlane plane, int nodes) {
      this.plane = plane;
      this.nodes = nodes;
    }

    static Fleet start(ControlPlane plane, LocalSystem system, int nodes) throws Exception {
      plane.newNamespaceNamed(NAMESPACE);
      system.startSimulator(Duration.ofSeconds(2), Duration.ofSeconds(3));
      system.startWebhook("webhook", LocalSystem.VPC, NAMESPACE);
      return new Fleet(plane, nodes);
    }

    void apply() {
      Kubectl.Result result = plane.kubectl().runWithInput(FleetBenchmark.manifests("ring", nodes, FleetBenchmark.Ec2Source.NONE), "-n", NAMESPACE,
          "apply", "-f", "-");
      if (!result.succeeded()) {
        throw new IllegalStateException("kubectl apply failed: " + result);
      }
    }

    long published() {
      return plane.client().resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems().stream()
          .filter(node -> node.getStatus() != null && node.getStatus().externalAddress() != null).count();
    }

    /** Every pod Running and every config with its full peer set. */
    boolean awaitConverged(Instant deadline) {
      int peers = nodes < 200 ? Math.min(100, nodes) - 1 : 199;
      boolean converged = until(Duration.between(Instant.now(), deadline), () ->
          plane.client().pods().inNamespace(NAMESPACE).list().getItems().stream()
              .filter(pod -> "Running".equals(pod.getStatus().getPhase())).count() == nodes
              && plane.client().configMaps().inNamespace(NAMESPACE).list().getItems().stream()
                  .filter(map -> map.getData() != null && map.getData().containsKey(SeidSettings.CONFIG_TOML)
                      && map.getData().get(SeidSettings.CONFIG_TOML).chars().filter(c -> c == '@').count() == peers)
                  .count() == nodes);
      convergedAt = Instant.now();
      return converged;
    }

    Instant convergedAt() {
      return convergedAt;
    }
  }

  /** Node IDs and published addresses by node, at one moment. */
  private record Snapshot(Map<String, String> nodeIds, Map<String, String> addresses) {

    static Snapshot of(KubernetesClient client) {
      Map<String, String> ids = new TreeMap<>();
      Map<String, String> addresses = new TreeMap<>();
      for (SeiNode node : client.resources(SeiNode.class).inNamespace(NAMESPACE).list().getItems()) {
        if (node.getStatus() != null && node.getStatus().nodeId() != null) {
          ids.put(node.getMetadata().getName(), node.getStatus().nodeId());
        }
        if (node.getStatus() != null && node.getStatus().externalAddress() != null) {
          addresses.put(node.getMetadata().getName(), node.getStatus().externalAddress());
        }
      }
      return new Snapshot(ids, addresses);
    }

    /** How many of this snapshot's entries {@code later} holds differently. */
    int changed(Snapshot later, Function<Snapshot, Map<String, String>> part) {
      Map<String, String> now = part.apply(later);
      return (int) part.apply(this).entrySet().stream()
          .filter(entry -> !entry.getValue().equals(now.get(entry.getKey()))).count();
    }
  }

  /** Polls both processes' /readyz every 250 ms and remembers whether each was ever unready. */
  private static final class ReadinessWatch implements AutoCloseable {
    private volatile boolean controllerWasUnready;
    private volatile boolean webhookWasUnready;
    private final Thread thread;

    ReadinessWatch(LocalSystem system) {
      thread = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          controllerWasUnready |= !LocalSystem.ready(system.controllerHealthPort());
          webhookWasUnready |= !LocalSystem.ready(system.webhookHealthPort());
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "readiness-watch");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      thread.interrupt();
    }
  }
}
