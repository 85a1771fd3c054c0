package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.SeidSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The fleet benchmark of BENCHMARKS.md. For each size it starts the local system afresh (control plane with KWOK,
 * webhook and controller processes as their ServiceAccounts, load-balancer simulator), applies tcp SeiNodeDeployments
 * of 100 children, and measures convergence, the controller's writes and requests (from the apiserver's audit log),
 * pod restarts, and the controller's CPU time and heap; then an idle window in which it must write nothing.
 *
 * <p>Topologies: {@code ring} (N/100 deployments; each one's children peer with their own deployment and the next
 * one: 199 peers per node from N = 200) and {@code mesh} (one deployment whose 100 children all peer with each other).
 *
 * <p>With {@code --ec2 N}, every node also lists one {@code ec2Tags} source whose N instances moto serves, through
 * {@link Ec2Gate}, which counts the DescribeInstances calls of the idle window: one per refresh period for the whole
 * fleet, not one per node.
 *
 * <p>Arguments: {@code --ring 100,300,1000} (sizes, 0 for none), {@code --mesh 100} (0 for none),
 * {@code --idle 60} (seconds of the idle window), {@code --ec2 0} (instances of the ec2Tags source, 0 for none),
 * {@code --ec2-refresh 10} (its SEI_EC2_REFRESH_SECONDS).
 */
public final class FleetBenchmark {

  private static final String NAMESPACE = "sei-fleet";
  private static final String CONTROLLER = AuditLog.serviceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER);
  private static final Duration CONVERGENCE_LIMIT = Duration.ofMinutes(20);
  /** The tag that selects the ec2Tags source's instances. */
  private static final String EC2_TAG = "bench.sei.io/fleet";
  private static final Pattern HEAP_USED = Pattern.compile(
      "^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} ([0-9.E+]+)$", Pattern.MULTILINE);

  private FleetBenchmark() {
  }

  /** One run: what was applied, and what it cost. */
  record Result(String topology, int nodes, int peersPerNode, Duration published, Duration statefulSets,
      Duration running, Duration fullPeers, Duration runningAfterLastAddress, Map<String, Integer> writes,
      int controllerCounted, double reconcilesPerNode, int podRestarts, long maxGeneration, double cpuSeconds,
      double peakHeapMib, double liveHeapMib, Map<String, Integer> requestsByVerb, int idleWrites,
      int idleEc2Calls) {

    double writesPerNode() {
      return writes.values().stream().mapToInt(Integer::intValue).sum() / (double) nodes;
    }
  }

  public static void main(String[] args) throws Exception {
    BenchmarkOptions options = BenchmarkOptions.parse(args, Map.of("--ring", "100,300,1000", "--mesh", "100",
        "--idle", "60", "--ec2", "0", "--ec2-refresh", "10"));
    Duration idle = Duration.ofSeconds(options.number("--idle"));
    Ec2Source ec2 = new Ec2Source(options.number("--ec2"), options.number("--ec2-refresh"));
    List<Result> results = new ArrayList<>();
    for (String size : options.text("--ring").split(",")) {
      if (Integer.parseInt(size.trim()) > 0) {
        results.add(run("ring", Integer.parseInt(size.trim()), idle, ec2));
      }
    }
    int mesh = options.number("--mesh");
    if (mesh > 0) {
      results.add(run("mesh", mesh, idle, ec2));
    }
    print(results, ec2);
  }

  /** The ec2Tags source every node lists: {@code instances} running instances (0: no source), listed every period. */
  record Ec2Source(int instances, int refreshSeconds) {
    static final Ec2Source NONE = new Ec2Source(0, 0);
  }

  private static Result run(String topology, int nodes, Duration idle, Ec2Source ec2) throws Exception {
    say("%s of %d nodes: starting the local system", topology, nodes);
    try (ControlPlane plane = ControlPlane.start(); LocalSystem system = LocalSystem.install(plane);
        Moto moto = ec2.instances() == 0 ? null
            : Moto.start(ControlPlaneBinaries.locate("moto").motoServer(), system.runDir().resolve("moto.log"));
        Ec2Gate gate = moto == null ? null : Ec2Gate.start(moto)) {
      KubernetesClient client = plane.client();
      plane.newNamespaceNamed(NAMESPACE);
      LoadBalancerSimulator simulator = system.startSimulator(Duration.ofSeconds(2), Duration.ofSeconds(3));
      system.startWebhook("webhook", LocalSystem.VPC, NAMESPACE);
      Map<String, String> env = new HashMap<>(Map.of("SEI_WATCH_NAMESPACES", NAMESPACE));
      if (gate != null) {
        for (int i = 0; i < ec2.instances(); i++) {
          moto.runInstance(Moto.REGION, Map.of(EC2_TAG, "ec2", WellKnown.TAG_NODE_ID,
              String.format("%040x", 0xec2000L + i)), null);
        }
        env.putAll(Moto.CREDENTIALS);
        env.put("SEI_EC2_ENDPOINT", gate.endpoint());
        env.put("SEI_EC2_REFRESH_SECONDS", Integer.toString(ec2.refreshSeconds()));
      }
      system.startController(env, List.of()); // the image's JVM settings
      int peers = ("mesh".equals(topology) || nodes < 200 ? Math.min(100, nodes) - 1 : 199) + ec2.instances();
      try (Observer observer = new Observer(client, peers); HeapSampler heap = new HeapSampler(system)) {
        Duration cpuBefore = cpu(system);
        Instant applied = Instant.now();
        Kubectl.Result result = plane.kubectl().runWithInput(manifests(topology, nodes, ec2), "-n", NAMESPACE, "apply",
            "-f", "-");
        if (!result.succeeded()) {
          throw new IllegalStateException("kubectl apply failed: " + result);
        }
        say("applied %d deployments; waiting for convergence", Math.max(1, nodes / 100));
        Map<String, Instant> reached = observer.await(nodes, applied.plus(CONVERGENCE_LIMIT));
        Instant converged = reached.values().stream().max(Instant::compareTo).orElseThrow();
        say("converged after %d s; waiting for the controller's writes to stop",
            Duration.between(applied, converged).toSeconds());
        Instant quietFrom = quiet(system);
        Instant idleEnd = quietFrom.plus(idle);
        say("idle window of %d s", idle.toSeconds());
        int ec2CallsBefore = gate == null ? 0 : gate.describeCalls();
        Thread.sleep(idle.toMillis());
        int idleEc2Calls = gate == null ? -1 : gate.describeCalls() - ec2CallsBefore;

        Map<String, Integer> writes = count(AuditLog.requests(plane.auditLog(), CONTROLLER, applied,
            r -> r.isWrite() && r.at().isBefore(quietFrom)), AuditLog.Request::resource);
        int idleWrites = AuditLog.requests(plane.auditLog(), CONTROLLER, quietFrom,
            r -> r.isWrite() && r.at().isBefore(idleEnd)).size();
        Map<String, Integer> verbs = count(AuditLog.requests(plane.auditLog(), CONTROLLER, applied, r -> true),
            AuditLog.Request::verb);
        String metrics = system.controllerMetrics();
        double liveHeapMib = liveHeapMib(system);
        return new Result(topology, nodes, peers, since(applied, reached.get("published")),
            since(applied, reached.get("statefulSets")), since(applied, reached.get("running")),
            since(applied, reached.get("fullPeers")), Duration.between(simulator.lastAssigned(), reached.get("running")),
            writes, (int) sum(metrics, "sei_controller_writes_total"),
            sum(metrics, "sei_controller_reconciles_seconds_count{controller=\"SeiNode\"") / nodes,
            observer.podRestarts(), observer.maxGeneration(), cpu(system).minus(cpuBefore).toMillis() / 1000.0,
            heap.peakMib(), liveHeapMib, verbs, idleWrites, idleEc2Calls);
      }
    }
  }

  /** The deployments of a topology, as YAML for kubectl. */
  static String manifests(String topology, int nodes, Ec2Source ec2) {
    if ("mesh".equals(topology)) {
      return deployment("mesh", "sei.io/role: mesh", nodes, List.of("{sei.io/role: mesh}"), ec2);
    }
    int deployments = ringDeployments(nodes);
    return IntStream.range(0, deployments).mapToObj(i -> deployment("fleet-" + i,
            "bench.sei.io/ring: \"" + i + "\"", Math.min(100, nodes),
            List.of("{bench.sei.io/ring: \"" + i + "\"}", "{bench.sei.io/ring: \"" + (i + 1) % deployments + "\"}"),
            ec2))
        .collect(Collectors.joining("---\n"));
  }

  /** A ring's deployments: one per 100 nodes, at least one. */
  static int ringDeployments(int nodes) {
    return Math.max(1, nodes / 100);
  }

  /** tcp children that peer with the deployments {@code selectors} select, and with the ec2Tags source if any. */
  private static String deployment(String name, String label, int replicas, List<String> selectors, Ec2Source ec2) {
    String peers = Stream.concat(selectors.stream().distinct().map(s -> "{seinodeDeployment: {selector: " + s + "}}"),
            ec2.instances() == 0 ? Stream.empty()
                : Stream.of("{ec2Tags: {region: " + Moto.REGION + ", tags: {" + EC2_TAG + ": ec2}}}"))
        .collect(Collectors.joining(", "));
    return Manifests.deployment(name, label, replicas, "", "networking: {tcp: {}}\n      peers: [" + peers + "]");
  }

  /** Waits until the controller's write counter has stood still for 10 s; returns when that began. */
  private static Instant quiet(LocalSystem system) throws Exception {
    double last = -1;
    Instant stillSince = Instant.now();
    while (Duration.between(stillSince, Instant.now()).compareTo(Duration.ofSeconds(10)) < 0) {
      double now = sum(system.controllerMetrics(), "sei_controller_writes_total");
      if (now != last) {
        last = now;
        stillSince = Instant.now();
      }
      Thread.sleep(500);
    }
    return stillSince;
  }

  /** The heap the controller still holds after a full collection (its caches at rest), in MiB. */
  private static double liveHeapMib(LocalSystem system) throws Exception {
    Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(system.controllerProcess().pid()), "GC.run").redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    if (gc.waitFor() != 0) {
      throw new IllegalStateException("jcmd GC.run failed for the controller");
    }
    Matcher used = HEAP_USED.matcher(system.controllerMetrics());
    long total = 0;
    while (used.find()) {
      total += (long) Double.parseDouble(used.group(1));
    }
    return total / (1024.0 * 1024.0);
  }

  private static Duration cpu(LocalSystem system) {
    return system.controllerProcess().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The sum of the Prometheus samples whose line starts with {@code prefix}. */
  private static double sum(String metrics, String prefix) {
    return metrics.lines().filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static <T> Map<String, Integer> count(List<T> items, Function<T, String> key) {
    Map<String, Integer> counts = new TreeMap<>();
    items.forEach(item -> counts.merge(key.apply(item), 1, Integer::sum));
    return counts;
  }

  private static Duration since(Instant from, Instant to) {
    return Duration.between(from, to);
  }

  private static void print(List<Result> results, Ec2Source ec2) {
    System.out.println();
    System.out.println("| topology | nodes | peers/node | all published | all StatefulSets | all pods Running "
        + "| all full peer sets | Running after last address | writes/node (audit) | reconciles/node "
        + "| pod restarts | max StatefulSet generation | controller CPU s | peak heap MiB | heap after GC MiB "
        + "| idle-window writes |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf("| %s | %d | %d | %d s | %d s | %d s | %d s | %d s | %.1f | %.1f | %d | %d | %.0f | %.0f | %.0f "
              + "| %d |%n",
          r.topology(), r.nodes(), r.peersPerNode(), r.published().toSeconds(), r.statefulSets().toSeconds(),
          r.running().toSeconds(), r.fullPeers().toSeconds(), r.runningAfterLastAddress().toSeconds(),
          r.writesPerNode(), r.reconcilesPerNode(), r.podRestarts(), r.maxGeneration(), r.cpuSeconds(),
          r.peakHeapMib(), r.liveHeapMib(), r.idleWrites());
    }
    System.out.println();
    for (Result r : results) {
      System.out.printf("%s %d: writes per node by resource %s (the controller counted %d, the audit log %d); "
              + "requests by verb %s%n", r.topology(), r.nodes(),
          r.writes().entrySet().stream().map(e -> e.getKey() + " " + String.format("%.2f", e.getValue()
              / (double) r.nodes())).collect(Collectors.joining(", ")),
          r.controllerCounted(), r.writes().values().stream().mapToInt(Integer::intValue).sum(), r.requestsByVerb());
      if (r.idleEc2Calls() >= 0) {
        System.out.printf("%s %d: %d DescribeInstances calls in the idle window for %d nodes listing one ec2Tags source "
                + "of %d instances (SEI_EC2_REFRESH_SECONDS %d)%n", r.topology(), r.nodes(), r.idleEc2Calls(),
            r.nodes(), ec2.instances(), ec2.refreshSeconds());
      }
    }
  }

  private static void say(String format, Object... args) {
    System.out.println("fleet: " + String.format(format, args));
  }

  /** Watches the namespace and notes when each milestone is first reached; counts pod restarts. */
  private static final class Observer implements AutoCloseable {
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final SharedIndexInformer<SeiNode> seiNodes;
    private final SharedIndexInformer<StatefulSet> statefulSets;
    private final PodStarts pods;
    private final SharedIndexInformer<ConfigMap> configMaps;
    private final int peers;

    Observer(KubernetesClient client, int peers) {
      this.peers = peers;
      seiNodes = watch(client.resources(SeiNode.class).inNamespace(NAMESPACE).inform());
      statefulSets = watch(client.apps().statefulSets().inNamespace(NAMESPACE).inform());
      configMaps = watch(client.configMaps().inNamespace(NAMESPACE).inform());
      pods = new PodStarts(client, NAMESPACE);
    }

    private <T> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer) {
      informers.add(informer);
      return informer;
    }

    Map<String, Instant> await(int nodes, Instant deadline) throws InterruptedException {
      Map<String, Predicate<Integer>> milestones = Map.of(
          "published", n -> count(seiNodes, node -> node.getStatus() != null
              && node.getStatus().externalAddress() != null) == n,
          "statefulSets", n -> statefulSets.getStore().list().size() == n,
          "running", n -> count(pods.informer(), pod -> "Running".equals(pod.getStatus().getPhase())) == n,
          "fullPeers", n -> count(configMaps, map -> peerCount(map) == peers) == n);
      Map<String, Instant> reached = new TreeMap<>();
      while (reached.size() < milestones.size()) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("not converged by the deadline; reached only " + reached.keySet());
        }
        milestones.forEach((name, done) -> {
          if (!reached.containsKey(name) && done.test(nodes)) {
            reached.put(name, Instant.now());
          }
        });
        Thread.sleep(250);
      }
      return reached;
    }

    int podRestarts() {
      return pods.restarts();
    }

    long maxGeneration() {
      return statefulSets.getStore().list().stream().mapToLong(s -> s.getMetadata().getGeneration()).max().orElse(0);
    }

    private static <T> long count(SharedIndexInformer<T> informer, Predicate<T> test) {
      return informer.getStore().list().stream().filter(test).count();
    }

    private static int peerCount(ConfigMap map) {
      String toml = map.getData() == null ? null : map.getData().get(SeidSettings.CONFIG_TOML);
      if (toml == null) {
        return -1;
      }
      return toml.lines().filter(line -> line.startsWith("persistent-peers")).findFirst()
          .map(line -> (int) line.chars().filter(c -> c == '@').count()).orElse(0);
    }

    @Override
    public void close() {
      informers.forEach(SharedIndexInformer::close);
      pods.close();
    }
  }

  /** Samples the controller's used heap (all heap pools) twice a second; keeps the peak. */
  private static final class HeapSampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;

    HeapSampler(LocalSystem system) {
      thread = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          try {
            Matcher used = HEAP_USED.matcher(system.controllerMetrics());
            long total = 0;
            while (used.find()) {
              total += (long) Double.parseDouble(used.group(1));
            }
            peak.accumulateAndGet(total, Math::max);
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            // the controller is between scrapes or stopping; try again
          }
        }
      }, "heap-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    double peakMib() {
      return peak.get() / (1024.0 * 1024.0);
    }

    @Override
    public void close() {
      thread.interrupt();
    }
  }
}
