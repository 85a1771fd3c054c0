package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.certs.CertificateAuthority;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.certs.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager (garbage collector,
 * StatefulSet, namespace controllers). No scheduler and no kubelet, so pods stay Pending. Certificates are minted
 * here; the admin user is a client certificate in {@code system:masters}.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration CERT_VALIDITY = Duration.ofDays(7);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final ControlPlaneBinaries binaries;
  private final Path workDir;
  private final CertificateAuthority ca;
  private final List<LocalProcess> processes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopProcesses, "control-plane-shutdown");
  private int apiserverPort;
  private Path kubeconfig;
  private KubernetesClient client;

  private ControlPlane(ControlPlaneBinaries binaries, Path workDir) {
    this.binaries = binaries;
    this.workDir = workDir;
    this.ca = CertificateAuthority.create("sei-p2p-testbed-ca", CERT_VALIDITY, Clock.systemUTC());
  }

  /** Builds the binaries if needed, starts everything and waits until the apiserver is ready. */
  public static ControlPlane start() {
    ControlPlaneBinaries binaries = ControlPlaneBinaries.locate();
    Path workDir;
    try {
      workDir = Files.createTempDirectory("sei-p2p-control-plane-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ControlPlane plane = new ControlPlane(binaries, workDir);
    Runtime.getRuntime().addShutdownHook(plane.shutdownHook);
    try {
      plane.startAll();
      return plane;
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** An admin kubeconfig for kubectl and for the processes under test. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  public String apiserverUrl() {
    return "https://127.0.0.1:" + apiserverPort;
  }

  public CertificateAuthority certificateAuthority() {
    return ca;
  }

  public ControlPlaneBinaries binaries() {
    return binaries;
  }

  public Kubectl kubectl() {
    return new Kubectl(binaries.kubectl(), kubeconfig);
  }

  /** The apiserver's audit log: one JSON event per request, with the user that made it. */
  public Path auditLog() {
    return workDir.resolve("audit.log");
  }

  /**
   * A client acting as ServiceAccount {@code namespace/name} (impersonated by the admin), so that requests are
   * authorized exactly as they would be in a cluster.
   */
  public KubernetesClient clientAsServiceAccount(String namespace, String name) {
    Config config = Config.fromKubeconfig(read(kubeconfig));
    config.setImpersonateUsername("system:serviceaccount:" + namespace + ":" + name);
    config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
        "system:authenticated");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A fresh namespace, so that tests sharing this control plane do not see each other's objects. */
  public String newNamespace(String prefix) {
    return newNamespaceNamed(prefix + "-" + NAMESPACES.incrementAndGet());
  }

  public String newNamespaceNamed(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  private void startAll() {
    Path pki = mkdirs(workDir.resolve("pki"));
    Path caFile = write(pki.resolve("ca.crt"), ca.certificate().certificatePem());
    IssuedCertificate serving = ca.issueServing("kube-apiserver",
        List.of("127.0.0.1", "localhost", "10.0.0.1", "kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"),
        CERT_VALIDITY);
    Path servingCert = write(pki.resolve("apiserver.crt"), serving.certificatePem());
    Path servingKey = write(pki.resolve("apiserver.key"), serving.privateKeyPem());
    KeyPair serviceAccountKeys = CertificateAuthority.newKeyPair();
    Path serviceAccountKey = write(pki.resolve("sa.key"), Pem.encode(serviceAccountKeys.getPrivate()));
    Path serviceAccountPublicKey = write(pki.resolve("sa.pub"), Pem.encode(serviceAccountKeys.getPublic()));
    IssuedCertificate admin = ca.issueClient("admin", List.of("system:masters"), CERT_VALIDITY);

    int etcdPort = FreePort.next();
    int etcdPeerPort = FreePort.next();
    String etcdUrl = "http://127.0.0.1:" + etcdPort;
    String etcdPeerUrl = "http://127.0.0.1:" + etcdPeerPort;
    launch("etcd", List.of(binaries.etcd().toString(),
        "--data-dir=" + mkdirs(workDir.resolve("etcd")),
        "--listen-client-urls=" + etcdUrl, "--advertise-client-urls=" + etcdUrl,
        "--listen-peer-urls=" + etcdPeerUrl, "--initial-advertise-peer-urls=" + etcdPeerUrl,
        "--initial-cluster=default=" + etcdPeerUrl,
        "--unsafe-no-fsync=true"));

    Path auditPolicy = write(workDir.resolve("audit-policy.yaml"), """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["RequestReceived"]
        rules:
        - level: Metadata
        """);
    apiserverPort = FreePort.next();
    launch("kube-apiserver", List.of(binaries.kubeApiserver().toString(),
        "--etcd-servers=" + etcdUrl,
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
        "--secure-port=" + apiserverPort,
        "--tls-cert-file=" + servingCert, "--tls-private-key-file=" + servingKey,
        "--client-ca-file=" + caFile,
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + serviceAccountPublicKey,
        "--service-account-signing-key-file=" + serviceAccountKey,
        "--allow-privileged=true",
        "--disable-admission-plugins=ServiceAccount",
        "--cert-dir=" + mkdirs(workDir.resolve("apiserver")),
        "--audit-policy-file=" + auditPolicy,
        "--audit-log-path=" + workDir.resolve("audit.log"),
        "--audit-log-maxsize=0"));

    kubeconfig = write(workDir.resolve("kubeconfig"), kubeconfigYaml(admin));
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig))).build();
    awaitReady();

    launch("kube-controller-manager", List.of(binaries.kubeControllerManager().toString(),
        "--kubeconfig=" + kubeconfig,
        "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
        "--bind-address=127.0.0.1", "--secure-port=" + FreePort.next(),
        "--cert-dir=" + mkdirs(workDir.resolve("controller-manager")),
        "--service-account-private-key-file=" + serviceAccountKey,
        "--root-ca-file=" + caFile,
        "--controllers=garbage-collector-controller,statefulset-controller,namespace-controller",
        "--leader-elect=false"));
  }

  private void launch(String name, List<String> command) {
    processes.add(LocalProcess.start(name, command, workDir.resolve(name + ".log")));
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    String lastProblem = "no answer yet";
    while (Instant.now().isBefore(deadline)) {
      for (LocalProcess process : processes) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the control plane did not start: " + process.describeExit());
        }
      }
      try {
        if ("ok".equals(client.raw("/readyz"))) {
          return;
        }
        lastProblem = "/readyz not ok yet";
      } catch (KubernetesClientException e) {
        lastProblem = e.getMessage();
      }
      sleep(Duration.ofMillis(200));
    }
    throw new IllegalStateException("kube-apiserver was not ready within " + STARTUP_TIMEOUT.toSeconds() + " s ("
        + lastProblem + "); logs are in " + workDir);
  }

  private String kubeconfigYaml(IssuedCertificate user) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: admin
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: local
          context:
            cluster: local
            user: admin
            namespace: default
        current-context: local
        """.formatted(apiserverUrl(), base64(ca.certificate().certificatePem()), base64(user.certificatePem()),
        base64(user.privateKeyTraditionalPem()));
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is stopping the processes
    }
    deleteRecursively(workDir);
  }

  private synchronized void stopProcesses() {
    // reverse order: controller-manager, apiserver, then etcd
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, String content) {
    try {
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the control plane", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
