package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.SeidSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the end-to-end tests do to the local cluster and read back from it, with the manifests' RBAC installed and
 * a load-balancer simulator running (one at a time: it acts on every Service). A JUnit extension: one per test class.
 */
final class TestCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  static final Map<String, String> ROUTABLE = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  static final String CONTROLLER_USER = AuditLog.serviceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER);

  private final Duration ingressDelay;
  private final Duration dnsDelay;
  private ControlPlane plane;
  private LoadBalancerSimulator simulator;

  private TestCluster(Duration ingressDelay, Duration dnsDelay) {
    this.ingressDelay = ingressDelay;
    this.dnsDelay = dnsDelay;
  }

  /**
   * For a test class's {@code @RegisterExtension static final} field: before its first test, the shared control
   * plane with the RBAC installed and a simulator that assigns an address {@code ingressDelay} after a Service
   * appears, and DNS {@code dnsDelay} later; after its last test, the simulator stops.
   */
  static TestCluster simulating(Duration ingressDelay, Duration dnsDelay) {
    return new TestCluster(ingressDelay, dnsDelay);
  }

  /** The same with no simulator: a real AWS Load Balancer Controller provisions the Services. */
  static TestCluster withoutSimulator() {
    return new TestCluster(null, null);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    plane = ControlPlaneExtension.shared(context);
    Rbac.install(plane.client());
    if (ingressDelay != null) {
      simulator = LoadBalancerSimulator.start(plane.client(), HostsFile.ofThisJvm(), ingressDelay, dnsDelay);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  ControlPlane plane() {
    return plane;
  }

  KubernetesClient client() {
    return plane.client();
  }

  LoadBalancerSimulator simulator() {
    return simulator;
  }

  @Override
  public void close() {
    if (simulator != null) {
      simulator.close();
    }
  }

  /**
   * The controller as its ServiceAccount with the RBAC of manifests/base/rbac.yaml, watching one namespace, its Lease
   * in that namespace, with short peer timings (8 s settle, 2 s between peer updates) and {@code env} on top.
   */
  Controller controller(String ns, Map<String, String> env) {
    return controller(ns, env, () -> { });
  }

  /** The same, calling {@code onFatal} when it can no longer do its work (in production the process exits). */
  Controller controller(String ns, Map<String, String> env, Runnable onFatal) {
    Map<String, String> settings = new HashMap<>(Map.of("SEI_PEER_SETTLE_SECONDS", "8",
        "SEI_PEER_UPDATE_SECONDS", "2"));
    settings.putAll(LocalSystem.GENESIS);
    settings.putAll(env);
    settings.put("SEI_WATCH_NAMESPACES", ns);
    settings.put("POD_NAMESPACE", ns);
    settings.put("HEALTH_PORT", "0");
    Rbac.grantLeaderElection(client(), ns);
    KubernetesClient identity = plane.clientAsServiceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER);
    return Controller.start(ControllerConfig.fromEnv(settings), identity, onFatal);
  }

  void apply(String ns, String manifest) {
    Kubectl.Result result = plane.kubectl().runWithInput(manifest, "-n", ns, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

  SeiNode node(String ns, String name) {
    return client().resources(SeiNode.class).inNamespace(ns).withName(name).get();
  }

  Service service(String ns, String name) {
    return client().services().inNamespace(ns).withName(name).get();
  }

  StatefulSet statefulSet(String ns, String name) {
    return client().apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  ConfigMap configMap(String ns, String node) {
    return client().configMaps().inNamespace(ns).withName(WellKnown.configMapName(node)).get();
  }

  /** The entries of a node's rendered {@code [p2p] persistent-peers}, as seid reads them; empty before there is any. */
  Set<String> persistentPeers(String ns, String node) {
    ConfigMap config = configMap(ns, node);
    if (config == null) {
      return Set.of();
    }
    String line = config.getData().get(SeidSettings.CONFIG_TOML).lines()
        .filter(l -> l.startsWith("persistent-peers = ")).findFirst().orElse("persistent-peers = \"\"");
    String value = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
    return value.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(value.split(",")));
  }

  /** The node's pod. */
  Pod pod(String ns, String node) {
    return client().pods().inNamespace(ns).withName(WellKnown.podName(node)).get();
  }

  /** A condition of a node; null while the node or the condition is not there. */
  Condition condition(String ns, String node, String type) {
    SeiNode found = node(ns, node);
    return found == null || found.getStatus() == null ? null : Conditions.find(found.getStatus().conditions(), type);
  }

  /** The reason of a node's condition; null while there is none. */
  String reason(String ns, String node, String type) {
    Condition condition = condition(ns, node, type);
    return condition == null ? null : condition.getReason();
  }

  /** The reasons of the Events about {@code name}, space separated, oldest first. */
  String events(String ns, String name) {
    return client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason).reduce("", (a, b) -> a + " " + b);
  }

  /** The controller's writes in {@code ns} since {@code from}, as "verb resource name". */
  List<String> controllerWrites(String ns, Instant from) {
    return AuditLog.writes(plane.auditLog(), CONTROLLER_USER, from).stream()
        .filter(write -> write.namespace().equals(ns) || write.namespace().isEmpty())
        .map(write -> write.verb() + " " + write.resource() + " " + write.name()).toList();
  }

  /** The controller's Prometheus metrics. */
  static String metrics(Controller controller) {
    try {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.healthPort() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The controller's sei_controller_writes_total lines. */
  static String writesCounted(Controller controller) {
    return metrics(controller).lines().filter(line -> line.startsWith("sei_controller_writes_total"))
        .collect(Collectors.joining("\n"));
  }

  /** How many reconciles of {@code kind} the controller completed. */
  static int reconciles(Controller controller, String kind) {
    return metrics(controller).lines()
        .filter(line -> line.startsWith("sei_controller_reconciles_seconds_count{controller=\"" + kind + "\""))
        .mapToInt(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }
}
