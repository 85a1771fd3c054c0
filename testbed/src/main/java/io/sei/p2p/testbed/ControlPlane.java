package io.sei.p2p.testbed;

import static io.sei.p2p.testbed.LocalFiles.mkdirs;
import static io.sei.p2p.testbed.LocalFiles.write;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.certs.CertificateAuthority;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.certs.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager (garbage collector,
 * StatefulSet, namespace and node-lifecycle controllers) and kube-scheduler, with fake nodes kept by KWOK: pods are
 * scheduled and run (Running, Ready, with an IP from their node's pod CIDR) without a kubelet. Certificates are
 * minted here; the admin user is a client certificate in {@code system:masters}.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration CERT_VALIDITY = Duration.ofDays(7);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  /** Room for thousands of LoadBalancer Services. */
  static final String SERVICE_RANGE = "10.96.0.0/12";
  /** The {@code kubernetes} Service's ClusterIP: the first address of {@link #SERVICE_RANGE}. */
  static final String API_SERVICE_IP = "10.96.0.1";
  /** The fake nodes: their own IPs, and pod CIDRs inside the VPC CIDR the tests configure (10.0.0.0/16). */
  public static final List<FakeNode> NODES = List.of(
      new FakeNode("kwok-node-0", "10.0.250.1", "10.0.128.0/20"),
      new FakeNode("kwok-node-1", "10.0.250.2", "10.0.144.0/20"));

  /**
   * What pods on a real node need beyond that: Deployments, Service routing, the PodDisruptionBudget's allowance,
   * and ServiceAccounts with their tokens and the CA bundle that projected token volumes mount.
   */
  private static final String REAL_NODE_CONTROLLERS = "deployment-controller,replicaset-controller,"
      + "endpointslice-controller,disruption-controller,serviceaccount-controller,serviceaccount-token-controller,"
      + "root-ca-certificate-publisher-controller";

  /** Where kube-controller-manager's host-path provisioner makes a folder per volume (fixed in its code). */
  private static final Path HOST_PATH_VOLUMES = Path.of("/tmp/hostpath_pv");
  private static final Pattern HOST_PATH_VOLUME = Pattern.compile("/tmp/hostpath_pv/[0-9a-f-]{36}");

  /** A node that KWOK keeps Ready, and whose pods it runs. */
  public record FakeNode(String name, String ip, String podCidr) {
  }

  private final ControlPlaneBinaries binaries;
  /** A plane's folder is a new temporary one whose name starts so. */
  static final String WORK_DIR_PREFIX = "sei-p2p-control-plane-";
  private final Path workDir;
  private List<String> etcdUrls = List.of();
  /** Whether a real node joins, in its own network ({@link NodeNetwork}), which this control plane then owns. */
  private final boolean forRealNode;
  private final CertificateAuthority ca;
  private final List<LocalProcess> processes = new ArrayList<>();
  private final Map<String, List<String>> commands = new HashMap<>();
  /** Whether the host-path provisioner's folder was there before this control plane (then it is never removed). */
  private final boolean hostPathVolumesExisted = Files.exists(HOST_PATH_VOLUMES);
  /** A JVM ended by a signal removes the volumes' folders too (while the apiserver still answers), then stops. */
  private final Thread shutdownHook = new Thread(() -> {
    try {
      removeHostPathVolumes();
    } finally {
      stopProcesses();
      removeNodeNetwork();
    }
  }, "control-plane-shutdown");
  private int apiserverPort;
  private Path kubeconfig;
  private KubernetesClient client;

  private ControlPlane(ControlPlaneBinaries binaries, Path workDir, boolean forRealNode) {
    this.binaries = binaries;
    this.workDir = workDir;
    this.forRealNode = forRealNode;
    this.ca = CertificateAuthority.create("sei-p2p-testbed-ca", CERT_VALIDITY, Clock.systemUTC());
  }

  /** Builds the binaries if needed, starts everything and waits until the apiserver is ready. */
  public static ControlPlane start() {
    return start(ControlPlaneBinaries.locate(), false);
  }

  /**
   * A control plane that a real node ({@link LocalNode}) joins besides the fake ones. It first tears down a node an
   * earlier run left, then makes the node's network ({@link NodeNetwork}), removed on close. The apiserver listens on
   * this machine's side of that link (pods reach it through the {@code kubernetes} Service) and on nothing else,
   * reaches kubelets at their InternalIP with a client certificate, authorizes nodes, and mounts ServiceAccount tokens
   * into pods; the controller manager also runs the controllers that Deployments, Services, PodDisruptionBudgets and
   * ServiceAccounts need.
   */
  public static ControlPlane startForRealNode(ControlPlaneBinaries binaries) {
    LocalNode.checkPrerequisites();
    LocalNode.tearDownLeftover();
    NodeNetwork.create();
    try {
      return start(binaries, true);
    } catch (RuntimeException e) {
      NodeNetwork.remove();
      throw e;
    }
  }

  private static ControlPlane start(ControlPlaneBinaries binaries, boolean forRealNode) {
    Path workDir;
    try {
      workDir = Files.createTempDirectory(WORK_DIR_PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ControlPlane plane = new ControlPlane(binaries, workDir, forRealNode);
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

  /** Where the control plane's processes keep their files and logs, and so may the programs tests run beside it. */
  public Path workDir() {
    return workDir;
  }

  public String apiserverUrl() {
    return "https://" + apiserverAddress() + ":" + apiserverPort;
  }

  /** Loopback, or with a real node this machine's side of the node's link (loopback is not the node's). */
  private String apiserverAddress() {
    return forRealNode ? NodeNetwork.HOST_ADDRESS : "127.0.0.1";
  }

  /** Where etcd listens: its client URL, then its peer URL. */
  List<String> etcdUrls() {
    return etcdUrls;
  }

  public CertificateAuthority certificateAuthority() {
    return ca;
  }

  public ControlPlaneBinaries binaries() {
    return binaries;
  }

  /**
   * A kubeconfig file for a user holding a client certificate from this control plane's CA, for a program on this
   * machine (a real node's kubelet and kube-proxy).
   */
  public Path kubeconfigForClient(String fileName, IssuedCertificate certificate) {
    return write(workDir.resolve(fileName), kubeconfigYaml(fileName, "default",
        "client-certificate-data: " + base64(certificate.certificatePem()),
        "client-key-data: " + base64(certificate.privateKeyTraditionalPem())));
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

  /**
   * A kubeconfig that authenticates as ServiceAccount {@code namespace/name} with a token the apiserver issued (a
   * TokenRequest, valid for a day), as a pod's projected token does: for processes that run as that account.
   */
  public Path kubeconfigForServiceAccount(String namespace, String name) {
    return write(workDir.resolve("kubeconfig-" + namespace + "-" + name),
        kubeconfigYaml(name, namespace, "token: " + serviceAccountToken(namespace, name)));
  }

  /**
   * The credentials of ServiceAccount {@code namespace/name} as a pod's process finds them, without a kubeconfig to
   * parse: the apiserver's address, an issued token and the cluster CA, in the environment variables fabric8 reads.
   */
  public Map<String, String> podCredentials(String namespace, String name) {
    return Map.of("KUBERNETES_MASTER", apiserverUrl(), "KUBERNETES_AUTH_TOKEN", serviceAccountToken(namespace, name),
        "KUBERNETES_CERTS_CA_FILE", caFile().toString(), "KUBERNETES_NAMESPACE", namespace,
        "KUBERNETES_AUTH_TRYKUBECONFIG", "false", "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
  }

  private Path caFile() {
    return workDir.resolve("pki").resolve("ca.crt");
  }

  /** A token the apiserver issued for ServiceAccount {@code namespace/name} (a TokenRequest, valid for a day). */
  private String serviceAccountToken(String namespace, String name) {
    return client.serviceAccounts().inNamespace(namespace).withName(name)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(Duration.ofDays(1).toSeconds())
            .endSpec().build())
        .getStatus().getToken();
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
    Path caFile = write(caFile(), ca.certificate().certificatePem());
    List<String> servingNames = new ArrayList<>(List.of("127.0.0.1", "localhost", API_SERVICE_IP, "kubernetes",
        "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
    if (forRealNode) {
      servingNames.add(NodeNetwork.HOST_ADDRESS);
    }
    IssuedCertificate serving = ca.issueServing("kube-apiserver", servingNames, CERT_VALIDITY);
    Path servingCert = write(pki.resolve("apiserver.crt"), serving.certificatePem());
    Path servingKey = write(pki.resolve("apiserver.key"), serving.privateKeyPem());
    KeyPair serviceAccountKeys = CertificateAuthority.newKeyPair();
    Path serviceAccountKey = write(pki.resolve("sa.key"), Pem.encode(serviceAccountKeys.getPrivate()));
    Path serviceAccountPublicKey = write(pki.resolve("sa.pub"), Pem.encode(serviceAccountKeys.getPublic()));
    IssuedCertificate admin = ca.issueClient("admin", List.of("system:masters"), CERT_VALIDITY);
    IssuedCertificate kwok = ca.issueClient("kwok", List.of("system:masters"), CERT_VALIDITY);

    // etcd holds the whole cluster: it serves only clients with a certificate of its own CA (the apiserver's), on its
    // client and peer listeners alike (one member has no peers)
    CertificateAuthority etcdCa = CertificateAuthority.create("sei-p2p-testbed-etcd-ca", CERT_VALIDITY,
        Clock.systemUTC());
    IssuedCertificate etcdServing = etcdCa.issueServing("etcd", List.of("127.0.0.1"), CERT_VALIDITY);
    IssuedCertificate etcdClient = etcdCa.issueClient("kube-apiserver-etcd-client", List.of(), CERT_VALIDITY);
    Path etcdCaFile = write(pki.resolve("etcd-ca.crt"), etcdCa.certificate().certificatePem());
    etcdUrls = List.of("https://127.0.0.1:" + FreePort.next(), "https://127.0.0.1:" + FreePort.next());
    String etcdUrl = etcdUrls.get(0);
    String etcdPeerUrl = etcdUrls.get(1);
    Path etcdCert = write(pki.resolve("etcd.crt"), etcdServing.certificatePem());
    Path etcdKey = write(pki.resolve("etcd.key"), etcdServing.privateKeyPem());
    launch("etcd", List.of(binaries.etcd().toString(),
        "--data-dir=" + mkdirs(workDir.resolve("etcd")),
        "--listen-client-urls=" + etcdUrl, "--advertise-client-urls=" + etcdUrl,
        "--client-cert-auth", "--trusted-ca-file=" + etcdCaFile,
        "--cert-file=" + etcdCert, "--key-file=" + etcdKey,
        "--peer-client-cert-auth", "--peer-trusted-ca-file=" + etcdCaFile,
        "--peer-cert-file=" + etcdCert, "--peer-key-file=" + etcdKey,
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
    List<String> apiserver = new ArrayList<>(List.of(binaries.kubeApiserver().toString(),
        "--etcd-servers=" + etcdUrl, "--etcd-cafile=" + etcdCaFile,
        "--etcd-certfile=" + write(pki.resolve("etcd-client.crt"), etcdClient.certificatePem()),
        "--etcd-keyfile=" + write(pki.resolve("etcd-client.key"), etcdClient.privateKeyPem()),
        "--secure-port=" + apiserverPort,
        "--tls-cert-file=" + servingCert, "--tls-private-key-file=" + servingKey,
        "--client-ca-file=" + caFile,
        "--service-cluster-ip-range=" + SERVICE_RANGE,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + serviceAccountPublicKey,
        "--service-account-signing-key-file=" + serviceAccountKey,
        "--allow-privileged=true",
        "--cert-dir=" + mkdirs(workDir.resolve("apiserver")),
        "--audit-policy-file=" + auditPolicy,
        "--audit-log-path=" + workDir.resolve("audit.log"),
        "--audit-log-maxsize=0"));
    apiserver.addAll(List.of("--bind-address=" + apiserverAddress(),
        // the kubernetes Service's endpoint, which a real node's pods reach through kube-proxy
        "--advertise-address=" + apiserverAddress()));
    if (!forRealNode) {
      apiserver.addAll(List.of(
          "--authorization-mode=RBAC",
          // webhooks registered by Service, as the manifests install them, are called at the Service's
          // EndpointSlice (there is no kube-proxy to route its ClusterIP), which a test may point at a process on
          // this machine
          "--enable-aggregator-routing=true",
          "--disable-admission-plugins=ServiceAccount"));
    } else {
      IssuedCertificate kubeletClient = ca.issueClient("kube-apiserver-kubelet-client", List.of("system:masters"),
          CERT_VALIDITY);
      apiserver.addAll(List.of("--authorization-mode=Node,RBAC",
          // PodNodeSelector and PodTolerationRestriction place a namespace's pods on the real node
          // (LocalNode.hostNamespace)
          "--enable-admission-plugins=NodeRestriction,PodNodeSelector,PodTolerationRestriction",
          "--kubelet-client-certificate=" + write(pki.resolve("kubelet-client.crt"), kubeletClient.certificatePem()),
          "--kubelet-client-key=" + write(pki.resolve("kubelet-client.key"), kubeletClient.privateKeyPem()),
          "--kubelet-certificate-authority=" + caFile,
          // by default it dials the node's hostname, which /etc/hosts may map to loopback
          "--kubelet-preferred-address-types=InternalIP"));
    }
    launch("kube-apiserver", apiserver);

    kubeconfig = write(workDir.resolve("kubeconfig"), kubeconfigYaml("admin", "default",
        "client-certificate-data: " + base64(admin.certificatePem()),
        "client-key-data: " + base64(admin.privateKeyTraditionalPem())));
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig))).build();
    awaitReady();

    launch("kube-controller-manager", List.of(binaries.kubeControllerManager().toString(),
        "--kubeconfig=" + kubeconfig,
        "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
        "--bind-address=127.0.0.1", "--secure-port=" + FreePort.next(),
        "--cert-dir=" + mkdirs(workDir.resolve("controller-manager")),
        "--service-account-private-key-file=" + serviceAccountKey,
        "--root-ca-file=" + caFile,
        "--controllers=garbage-collector-controller,statefulset-controller,namespace-controller,"
            + "node-lifecycle-controller," // takes the not-ready taint off new nodes
            + "clusterrole-aggregation-controller," // folds aggregated rules into admin, edit and view
            + "resourcequota-controller," // keeps quotas' usage, which quota admission needs
            // nodes' data claims: provisioned (as host paths, see HOST_PATH_VOLUMES), bound, and released on delete
            + "persistentvolume-binder-controller,persistentvolume-protection-controller,"
            + "persistentvolumeclaim-protection-controller"
            + (forRealNode ? "," + REAL_NODE_CONTROLLERS : ""),
        "--enable-hostpath-provisioner=true",
        "--kube-api-qps=200", "--kube-api-burst=400", // a fleet's StatefulSets, not the default 20 writes a second
        "--leader-elect=false"));
    launch("kube-scheduler", List.of(binaries.kubeScheduler().toString(),
        "--kubeconfig=" + kubeconfig, "--secure-port=0", "--leader-elect=false",
        "--kube-api-qps=500", "--kube-api-burst=1000"));
    // KWOK runs as its own user, whom this policy holds to what a kubelet does when it deletes pods
    Path kwokFolder = RepoRoot.find().resolve("testbed/kube/kwok");
    client.resourceList(read(kwokFolder.resolve("pod-deletion-policy.yaml"))).serverSideApply();
    Path kwokKubeconfig = write(workDir.resolve("kwok.kubeconfig"), kubeconfigYaml("kwok", "default",
        "client-certificate-data: " + base64(kwok.certificatePem()),
        "client-key-data: " + base64(kwok.privateKeyTraditionalPem())));
    launch("kwok", List.of(binaries.kwok().toString(),
        "--kubeconfig=" + kwokKubeconfig,
        "--config=" + kwokFolder.resolve("stages.yaml")),
        Map.of("KWOK_WORKDIR", mkdirs(workDir.resolve("kwok")).toString()));
    NODES.forEach(this::addFakeNode);
    client.resource(new StorageClassBuilder()
        .withNewMetadata().withName("standard")
          .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
        .withProvisioner("kubernetes.io/host-path").withReclaimPolicy("Delete").withVolumeBindingMode("Immediate")
        .build()).create();
  }

  private void addFakeNode(FakeNode fake) {
    // room for a fleet of nodes at their default sizes (8 CPUs, 64 GiB each): KWOK's nodes run nothing
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity("10000"), "memory", new Quantity("100Ti"),
        "pods", new Quantity("5000"));
    client.nodes().resource(new NodeBuilder()
        .withNewMetadata().withName(fake.name())
          .addToAnnotations("kwok.x-k8s.io/node", "fake")
          .addToLabels("kubernetes.io/hostname", fake.name()).addToLabels("kubernetes.io/os", "linux")
        .endMetadata()
        .withNewSpec().withPodCIDR(fake.podCidr()).withPodCIDRs(fake.podCidr()).endSpec()
        .withNewStatus()
          .addNewAddress().withType("InternalIP").withAddress(fake.ip()).endAddress()
          .withCapacity(capacity).withAllocatable(capacity)
        .endStatus()
        .build()).create();
  }

  private void launch(String name, List<String> command) {
    launch(name, command, Map.of());
  }

  private void launch(String name, List<String> command, Map<String, String> env) {
    processes.add(LocalProcess.start(name, command, env, workDir.resolve(name + ".log")));
    commands.put(name, command);
  }

  /**
   * Stops kube-apiserver (SIGTERM), keeps it down for {@code outage}, then starts it again on the same port and etcd
   * and waits until it is ready: an outage everything else must live through.
   */
  public synchronized void restartApiserver(Duration outage) throws InterruptedException {
    LocalProcess apiserver = processes.stream().filter(p -> p.name().equals("kube-apiserver")).findFirst()
        .orElseThrow();
    apiserver.close();
    Thread.sleep(outage.toMillis());
    LocalProcess restarted = LocalProcess.start("kube-apiserver", commands.get("kube-apiserver"), Map.of(),
        workDir.resolve("kube-apiserver-restarted.log"));
    processes.set(processes.indexOf(apiserver), restarted);
    awaitReady();
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

  /** A kubeconfig for this apiserver; {@code credentials} are the user's fields (one per line). */
  private String kubeconfigYaml(String user, String namespace, String... credentials) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            %s
        contexts:
        - name: local
          context:
            cluster: local
            user: %s
            namespace: %s
        current-context: local
        """.formatted(apiserverUrl(), base64(ca.certificate().certificatePem()), user,
        String.join("\n    ", credentials), user, namespace);
  }

  @Override
  public void close() {
    if (client != null) {
      removeHostPathVolumes();
      client.close();
    }
    stopProcesses();
    removeNodeNetwork();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is stopping the processes
    }
    deleteRecursively(workDir);
  }

  private void removeNodeNetwork() {
    if (forRealNode) {
      NodeNetwork.remove();
    }
  }

  /**
   * The folders kube-controller-manager's host-path provisioner made for this control plane's volumes: it deletes a
   * volume's folder with its claim, and these are the ones whose claims outlived the run. Only empty folders are
   * removed (KWOK's pods write nothing), and the parent only when this control plane made it and nothing is in it.
   */
  private void removeHostPathVolumes() {
    if (client == null) {
      return;
    }
    try {
      for (PersistentVolume volume : client.persistentVolumes().list().getItems()) {
        String path = volume.getSpec().getHostPath() == null ? null : volume.getSpec().getHostPath().getPath();
        if (path != null && HOST_PATH_VOLUME.matcher(path).matches()) {
          deleteIfEmpty(Path.of(path));
        }
      }
      if (!hostPathVolumesExisted) {
        deleteIfEmpty(HOST_PATH_VOLUMES);
      }
    } catch (RuntimeException e) {
      System.err.println("control plane: could not list the host-path volumes to remove: " + e.getMessage());
    }
  }

  private static void deleteIfEmpty(Path folder) {
    try {
      Files.deleteIfExists(folder);
    } catch (DirectoryNotEmptyException kept) {
      // something in it is not the testbed's to remove
    } catch (IOException e) {
      System.err.println("control plane: could not remove " + folder + ": " + e.getMessage());
    }
  }

  private synchronized void stopProcesses() {
    // reverse order: kwok, scheduler, controller-manager, apiserver, then etcd
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
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
