package io.sei.p2p.testbed;

import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.controller.ControllerMain;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.webhook.WebhookMain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The system as it runs in a cluster, on a local control plane: the CRDs and the manifests' RBAC, the webhook and
 * the controller as their own processes, each authenticated as its ServiceAccount with an apiserver-issued token, and
 * the load-balancer simulator or the real AWS Load Balancer Controller against moto. Used by the main job and the
 * fleet benchmark.
 */
public final class LocalSystem implements AutoCloseable {

  public static final Map<String, String> VPC = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  /** The ConfigMap, in a node's namespace, that holds every chain's genesis here. */
  public static final String GENESIS_CONFIGMAP = "sei-genesis";
  /** Every chain's genesis from {@link #GENESIS_CONFIGMAP} (KWOK's pods never read it). */
  public static final Map<String, String> GENESIS = Map.of("SEI_GENESIS", "*=configmap:" + GENESIS_CONFIGMAP);
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);

  private final ControlPlane plane;
  private final Path runDir;
  private final List<LocalProcess> processes = new CopyOnWriteArrayList<>();
  private Runnable stopLoadBalancers = () -> { };
  private LocalProcess controller;
  private LocalProcess webhook;
  private int webhookHealthPort;
  private int webhookHttpsPort;
  private int controllerHealthPort;

  private LocalSystem(ControlPlane plane, Path runDir) {
    this.plane = plane;
    this.runDir = runDir;
  }

  /** Installs the CRDs, the system namespace and the RBAC; nothing runs yet. */
  public static LocalSystem install(ControlPlane plane) throws IOException {
    Crds.install(plane.client());
    Rbac.install(plane.client());
    LocalSystem system = new LocalSystem(plane, Files.createTempDirectory("sei-p2p-local-"));
    // Ctrl-C ends the JVM without unwinding: stop the processes from a hook too
    Runtime.getRuntime().addShutdownHook(new Thread(system::stopProcesses, "local-system-shutdown"));
    return system;
  }

  public Path runDir() {
    return runDir;
  }

  /** The simulator, publishing after {@code ingressDelay} and "propagating DNS" after {@code dnsDelay}. */
  public LoadBalancerSimulator startSimulator(Duration ingressDelay, Duration dnsDelay) {
    LoadBalancerSimulator simulator = LoadBalancerSimulator.start(plane.client(), new HostsFile(hostsFile()),
        ingressDelay, dnsDelay);
    stopLoadBalancers = simulator::close;
    return simulator;
  }

  /** Instead of the simulator: the real AWS Load Balancer Controller against moto, for {@code namespace}. */
  public AwsLoadBalancerController startAwsLoadBalancerController(String namespace)
      throws IOException, InterruptedException {
    AwsLoadBalancerController controller = AwsLoadBalancerController.start(plane, namespace,
        new HostsFile(hostsFile()), runDir);
    stopLoadBalancers = controller::close;
    return controller;
  }

  /** A webhook process with {@code network} settings (SEI_VPC_CIDR, POD_IP), registered for {@code namespace}. */
  public void startWebhook(String name, Map<String, String> network, String namespace) throws Exception {
    startWebhook(name, network, namespace, List.of());
  }

  /**
   * The same, its JVM started as the image starts it ({@link JvmSettings}) plus {@code jvmOptions}; {@code env} may add
   * any variable (e.g. {@code HOME}).
   */
  public void startWebhook(String name, Map<String, String> env, String namespace, List<String> jvmOptions)
      throws Exception {
    IssuedCertificate serving = plane.certificateAuthority().issueServing(WellKnown.WEBHOOK_NAME,
        List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    Path tls = Files.createDirectories(runDir.resolve(name + "-tls"));
    Files.writeString(tls.resolve("tls.crt"), serving.certificatePem());
    Files.writeString(tls.resolve("tls.key"), serving.privateKeyPem());
    int port = FreePort.next();
    int health = FreePort.next();
    Map<String, String> settings = new HashMap<>(Map.of("SHUTDOWN_DRAIN_SECONDS", "0")); // no endpoints to leave
    settings.putAll(env);
    settings.putAll(Map.of("KUBECONFIG", plane.kubeconfigForServiceAccount(Rbac.NAMESPACE, Rbac.WEBHOOK).toString(),
        "WEBHOOK_PORT", Integer.toString(port), "HEALTH_PORT", Integer.toString(health),
        "TLS_CERT_FILE", tls.resolve("tls.crt").toString(), "TLS_KEY_FILE", tls.resolve("tls.key").toString()));
    List<String> options = new ArrayList<>(JvmSettings.webhook(plane.client()));
    options.addAll(jvmOptions);
    webhook = JavaProcess.start(name, WebhookMain.class, options, settings, runDir.resolve(name + ".log"));
    webhookHealthPort = health;
    webhookHttpsPort = port;
    processes.add(webhook);
    awaitReady(webhook, health);
    WebhookRegistration.register(plane.client(), "https://127.0.0.1:" + port,
        plane.certificateAuthority().certificate().certificatePem(), namespace);
  }

  /**
   * The controller process with the VPC settings plus {@code env}, its JVM started as the image starts it plus
   * {@code jvmOptions}; its resolver reads the hosts file that holds the load balancers' names.
   */
  public void startController(Map<String, String> env, List<String> jvmOptions) throws Exception {
    Map<String, String> settings = new HashMap<>(VPC);
    settings.putAll(GENESIS);
    settings.put("KUBECONFIG", plane.kubeconfigForServiceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER).toString());
    settings.put("POD_NAMESPACE", Rbac.NAMESPACE);
    controllerHealthPort = FreePort.next();
    settings.put("HEALTH_PORT", Integer.toString(controllerHealthPort));
    settings.putAll(env);
    List<String> options = new ArrayList<>(JvmSettings.controller(plane.client()));
    options.addAll(jvmOptions);
    options.add("-D" + HostsFile.PROPERTY + "=" + hostsFile());
    controller = JavaProcess.start("controller", ControllerMain.class, options, settings,
        runDir.resolve("controller-" + controllerHealthPort + ".log"));
    processes.add(controller);
    awaitReady(controller, controllerHealthPort);
  }

  /** The controller's process, for its CPU time. */
  public ProcessHandle controllerProcess() {
    return controller.handle();
  }

  /** The controller's health port, for /readyz and /metrics. */
  public int controllerHealthPort() {
    return controllerHealthPort;
  }

  /** The last webhook's HTTPS port. */
  public int webhookHttpsPort() {
    return webhookHttpsPort;
  }

  /** The last webhook's health port. */
  public int webhookHealthPort() {
    return webhookHealthPort;
  }

  /** The controller's process, to signal and wait for. */
  LocalProcess controller() {
    return controller;
  }

  /** The last webhook process started, to signal and wait for. */
  LocalProcess webhook() {
    return webhook;
  }

  /** The controller's Prometheus metrics, as scraped now. */
  public String controllerMetrics() throws IOException, InterruptedException {
    return get(controllerHealthPort, "/metrics").body();
  }

  /** Whether the process serving health on {@code port} answers /readyz with 200 now. */
  public static boolean ready(int port) {
    try {
      return get(port, "/readyz").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stopProcesses();
    stopLoadBalancers.run();
  }

  private Path hostsFile() {
    return runDir.resolve("lb-hosts");
  }

  private void awaitReady(LocalProcess process, int healthPort) throws InterruptedException {
    process.awaitServing(() -> get(healthPort, "/readyz").statusCode() == 200, READY_WITHIN, Duration.ofMillis(300));
  }

  private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private synchronized void stopProcesses() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }
}
