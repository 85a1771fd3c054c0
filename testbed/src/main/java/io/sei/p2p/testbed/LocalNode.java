package io.sei.p2p.testbed;

import static io.sei.p2p.testbed.Command.exitCode;
import static io.sei.p2p.testbed.Command.output;
import static io.sei.p2p.testbed.Command.run;
import static io.sei.p2p.testbed.LocalFiles.mkdirs;
import static io.sei.p2p.testbed.LocalFiles.write;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.CertificateAuthority;
import io.sei.p2p.certs.IssuedCertificate;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;

/**
 * A real worker node on this machine, joined to a {@link ControlPlane#startForRealNode control plane started for it}:
 * containerd (runc, overlayfs), a bridge CNI network, kubelet, kube-proxy and CoreDNS, so that the project's images run
 * in pods as a cluster runs them. Its network is its own namespace ({@link NodeNetwork}): the bridge, kube-proxy's
 * chains, conntrack and ip_forward are the namespace's, and this machine's tables are never touched. Every image is
 * imported beforehand (no pod ever pulls), CoreDNS never forwards, and guard chains refuse pod traffic leaving for
 * anything but the apiserver's side of the link and Service addresses nothing translated: all traffic stays on this
 * machine. Needs root. {@link #close()} removes everything it made on the host: processes, mounts, sandbox network
 * namespaces, cgroups, host folders, and the sysctls the kubelet changes.
 *
 * <p>One per machine: its namespace, link, cgroup root and the kubelet's fixed folders have fixed names.
 */
public final class LocalNode implements AutoCloseable {

  private static final Path CNI_BIN = Path.of("/usr/lib/cni");
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
  /** Where containerd 1.6's shims bind their sockets, whatever its configuration says. */
  private static final Path SHIM_SOCKETS = Path.of("/run/containerd/s");
  static final String NODE_NAME = "sei-p2p-node";
  /** At most 15 characters, a Linux interface name. */
  static final String BRIDGE = "sei-p2p-cni0";
  static final String CNI_NETWORK = "sei-p2p-node";
  static final String POD_SUBNET = "10.244.0.0/24";
  /** Traffic from outside it to a Service is masqueraded, so that replies come back through kube-proxy's NAT. */
  static final String CLUSTER_CIDR = "10.244.0.0/16";
  static final String DNS_SERVICE_IP = "10.96.0.10";
  static final String CGROUP_ROOT = "sei-p2p-node";
  static final String PAUSE_IMAGE = "localhost/sei-p2p/pause:local";
  static final String COREDNS_IMAGE = "localhost/sei-p2p/coredns:local";
  static final String LOCAL_PATH_PROVISIONER = "rancher.io/local-path";
  /** Its helper pods' scripts and template (namespace, helper image), and its StorageClass (provisioner name). */
  private static final String LOCAL_PATH_MANIFESTS = """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: local-path-config, namespace: %1$s}
      data:
        setup: |-
          #!/bin/sh
          set -eu
          mkdir -m 0777 -p "$VOL_DIR"
        teardown: |-
          #!/bin/sh
          set -eu
          rm -rf "$VOL_DIR"
        helperPod.yaml: |-
          apiVersion: v1
          kind: Pod
          metadata: {name: helper-pod}
          spec:
            containers:
            - {name: helper-pod, image: "%2$s", imagePullPolicy: Never}
      ---
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: local-path}
      provisioner: %3$s
      volumeBindingMode: WaitForFirstConsumer
      reclaimPolicy: Delete
      """;
  /**
   * The real node's taint: only pods that tolerate it run here, so that pods whose images cannot be had on this
   * machine (seid) go to KWOK's nodes and are never pulled. {@link #hostNamespace} lets a namespace's pods tolerate it.
   */
  public static final String TAINT = "sei-p2p.io/real-node";
  /** In /run, which a reboot clears along with everything a node leaves. */
  static final Path RECORD = Path.of("/run/sei-p2p-local-node/host.properties");
  static final String GUARD_OUTPUT_CHAIN = "SEI-P2P-NODE-OUT";
  static final String GUARD_FORWARD_CHAIN = "SEI-P2P-NODE-FWD";
  /**
   * Sysctls this node changes on the host, restored on close: the kubelet's "kernel tunables" (vm.overcommit_memory,
   * vm.panic_on_oom, kernel.panic, kernel.panic_on_oops, kernel.keys.root_max*), which it sets without asking and which
   * no namespace holds. The network ones are its namespace's.
   */
  static final List<String> SYSCTLS = List.of("vm/overcommit_memory", "vm/panic_on_oom",
      "kernel/panic", "kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes");
  /**
   * Host folders that containerd and the CNI plugins use whatever their configuration says (sandbox network
   * namespaces, the CNI result cache, shim sockets) or that the kubelet hard-codes (its device-plugin socket):
   * removed on close when this node created them.
   */
  static final List<String> FIXED_HOST_FOLDERS = List.of("/var/log/containers", "/var/run/netns",
      "/var/lib/cni/results", "/var/lib/cni", "/run/containerd/s", "/run/containerd",
      "/var/lib/kubelet/device-plugins", "/var/lib/kubelet");
  /** Each program the node needs, and the Debian package that has it. */
  static final Map<String, String> PREREQUISITES = prerequisites();

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration CERT_VALIDITY = Duration.ofDays(7);

  private final ControlPlane plane;
  private final Path dir;
  private final List<LocalProcess> processes = new ArrayList<>();
  /** The programs a node launches itself; everything else it runs is in its containers, under their shims. */
  private static final Set<String> NODE_PROGRAMS = Set.of("containerd", "kubelet", "kube-proxy",
      "local-path-provisioner");
  /** The node's folder in its plane's. */
  private static final String FOLDER = "node";
  private static final Pattern NODE_FOLDER = Pattern.compile("/.+/" + Pattern.quote(ControlPlane.WORK_DIR_PREFIX)
      + "[0-9]+/" + FOLDER);

  /** The host as this node found it; empty until recorded (nothing to restore before anything changed). */
  private HostRecord hostBefore;
  private final Thread shutdownHook = new Thread(this::tearDown, "local-node-shutdown");
  private boolean tornDown;

  private LocalNode(ControlPlane plane, Path dir) {
    this.plane = plane;
    this.dir = dir;
    this.hostBefore = new HostRecord(ProcessHandle.current().pid(), dir, Map.of(), Set.of());
  }

  /**
   * What a node found on the host and must leave as it was, kept in {@link #RECORD} while the node runs: the next node
   * to start reads it and tears down one whose JVM was killed before it could (its processes, mounts, chains and
   * sysctls outlive the JVM).
   */
  record HostRecord(long owner, Path dir, Map<String, String> sysctls, Set<String> folders) {

    HostRecord {
      sysctls = Collections.unmodifiableMap(new TreeMap<>(sysctls));
      folders = Collections.unmodifiableSet(new TreeSet<>(folders));
    }

    String text() {
      Properties properties = new Properties();
      properties.setProperty("owner", Long.toString(owner));
      properties.setProperty("dir", dir.toString());
      sysctls.forEach((key, value) -> properties.setProperty("sysctl." + key, value));
      folders.forEach(folder -> properties.setProperty("folder." + folder, "present"));
      StringWriter text = new StringWriter();
      try {
        properties.store(text, "a sei-p2p local node's record of the host; removed when the node is torn down");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return text.toString();
    }

    static HostRecord parse(String text) {
      Properties properties = new Properties();
      try {
        properties.load(new StringReader(text));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, String> sysctls = new TreeMap<>();
      Set<String> folders = new TreeSet<>();
      for (String key : properties.stringPropertyNames()) {
        if (key.startsWith("sysctl.")) {
          sysctls.put(key.substring("sysctl.".length()), properties.getProperty(key));
        } else if (key.startsWith("folder.")) {
          folders.add(key.substring("folder.".length()));
        }
      }
      String dir = properties.getProperty("dir");
      String owner = properties.getProperty("owner");
      if (dir == null || !dir.startsWith("/") || owner == null || !owner.matches("[0-9]+")) {
        throw new IllegalArgumentException("a node record without its folder or owner: " + text);
      }
      // its folder is unmounted and deleted recursively: only one that a node creates will do
      if (!NODE_FOLDER.matcher(dir).matches() || !Path.of(dir).normalize().toString().equals(dir)) {
        throw new IllegalArgumentException("a node record whose folder " + dir + " is not a node's (<temporary "
            + "folder>/" + ControlPlane.WORK_DIR_PREFIX + "<digits>/" + FOLDER + "); nothing under it is touched: "
            + "remove " + RECORD + " after checking what it names");
      }
      return new HostRecord(Long.parseLong(owner), Path.of(dir), sysctls, folders);
    }
  }

  /**
   * Checks that this machine can run a node (root, the programs of {@link #PREREQUISITES}), and fails saying what to
   * install when it cannot.
   */
  public static void checkPrerequisites() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("a real node needs root (containerd, kubelet, iptables, mounts, cgroups)");
    }
    List<String> missing = PREREQUISITES.entrySet().stream()
        .filter(e -> !onPath(e.getKey()))
        .map(Map.Entry::getValue).distinct().sorted().toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("a real node needs these Debian packages: apt-get install -y "
          + String.join(" ", missing));
    }
    if (!Files.isDirectory(Path.of("/proc/sys/net/bridge"))) {
      throw new IllegalStateException("the br_netfilter module is not loaded (modprobe br_netfilter): replies between "
          + "pods on the bridge would skip kube-proxy's NAT");
    }
  }

  /** An IPv4 address of this machine that is not loopback: one its network reaches it at. */
  public static String lanAddress() {
    try {
      return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .filter(LocalNode::usable)
          .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
          .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
          .map(InetAddress::getHostAddress)
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("this machine has no IPv4 address other than loopback; a "
              + "real node needs one"));
    } catch (SocketException e) {
      throw new IllegalStateException("could not list this machine's addresses", e);
    }
  }

  private static boolean usable(NetworkInterface candidate) {
    try {
      return candidate.isUp() && !candidate.isLoopback() && !candidate.getName().equals(NodeNetwork.HOST_LINK)
          && !candidate.getName().startsWith("veth");
    } catch (SocketException e) {
      return false;
    }
  }

  /**
   * Starts the node (the control plane must have been started with {@link ControlPlane#startForRealNode} on
   * this machine, which made the node's network) and waits until the node and CoreDNS are Ready. CoreDNS answers the cluster zone and the names of
   * {@code hostsFile} (re-read when it changes).
   */
  public static LocalNode start(ControlPlane plane, HostsFile hostsFile) {
    checkPrerequisites();
    LocalNode node = new LocalNode(plane, plane.workDir().resolve(FOLDER));
    Runtime.getRuntime().addShutdownHook(node.shutdownHook);
    try {
      node.startAll(hostsFile);
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  public String name() {
    return NODE_NAME;
  }

  /** The node's address, in its own network namespace. */
  public String ip() {
    return NodeNetwork.NODE_ADDRESS;
  }

  /**
   * Places every pod of {@code namespace} on this node, as a cluster's administrator places a system without changing
   * its manifests: the apiserver's PodNodeSelector and PodTolerationRestriction plugins (on in
   * {@link ControlPlane#startForRealNode}) give each of its pods this node's selector and a toleration of its taint,
   * from the namespace's annotations. Creates the namespace if it does not exist.
   */
  public void hostNamespace(String namespace) {
    plane.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
            .addToAnnotations("scheduler.alpha.kubernetes.io/node-selector", "kubernetes.io/hostname=" + NODE_NAME)
            .addToAnnotations("scheduler.alpha.kubernetes.io/defaultTolerations",
                "[{\"key\": \"" + TAINT + "\", \"operator\": \"Exists\", \"effect\": \"NoSchedule\"}]")
            .endMetadata().build())
        .fieldManager("sei-p2p-local-node").forceConflicts().serverSideApply();
  }

  private void startAll(HostsFile hostsFile) {
    mkdirs(dir);
    recordHostState();
    for (List<String> rule : guardRules()) {
      run(NodeNetwork.inside(rule));
    }

    Path containerd = mkdirs(dir.resolve("containerd"));
    Path cniConf = mkdirs(dir.resolve("cni/net.d"));
    write(cniConf.resolve("10-" + CNI_NETWORK + ".conflist"), cniConfig(mkdirs(dir.resolve("cni/ipam"))));
    Path config = write(containerd.resolve("config.toml"), containerdConfig(containerd, cniConf));
    launch("containerd", NodeNetwork.inside(List.of("containerd", "--config", config.toString(),
        "--log-level=warn")));
    await("containerd to answer", () -> exitCode(ctr("version")) == 0);

    importBinaryImage(PAUSE_IMAGE, plane.binaries().pause());
    importBinaryImage(COREDNS_IMAGE, plane.binaries().coredns());
    createCgroupRoot();
    startKubelet();
    startKubeProxy();
    await("node " + NODE_NAME + " to be Ready", this::nodeReady);
    startCoreDns(hostsFile);
  }

  private void recordHostState() {
    Map<String, String> sysctls = new LinkedHashMap<>();
    for (String key : SYSCTLS) {
      sysctls.put(key, readOr(Path.of("/proc/sys", key), "").trim());
    }
    hostBefore = new HostRecord(ProcessHandle.current().pid(), dir, sysctls,
        FIXED_HOST_FOLDERS.stream().filter(f -> Files.exists(Path.of(f))).collect(Collectors.toSet()));
    mkdirs(RECORD.getParent());
    write(RECORD, hostBefore.text());
  }

  /**
   * A node whose JVM was killed left its processes, mounts, chains and sysctl changes behind, and its record: tear it
   * down as it would have, from what the record says the host was. Its network namespace goes when the next network is
   * made ({@link NodeNetwork#create}), its processes gone.
   */
  static void tearDownLeftover() {
    if (!Files.exists(RECORD)) {
      return;
    }
    HostRecord record = HostRecord.parse(readOr(RECORD, ""));
    if (ProcessHandle.of(record.owner()).map(ProcessHandle::isAlive).orElse(false)
        && commandLine(record.owner()).contains("java")) {
      throw new IllegalStateException("a local node already runs on this machine (process " + record.owner()
          + ", " + record.dir() + "); two would share its names, its folders and its network");
    }
    System.err.println("a local node of an earlier run (" + record.dir() + ") was not torn down; tearing it down");
    LocalNode leftover = new LocalNode(null, record.dir());
    leftover.hostBefore = record;
    leftover.tearDown();
  }

  /** The project's images, from podman's store into the node's: pods run them with imagePullPolicy Never. */
  public void importImages(Images images) {
    for (String image : List.of(images.webhook(), images.controller())) {
      Path archive = dir.resolve("image-" + image.replaceAll("[^A-Za-z0-9.-]", "_") + ".tar");
      images.podman("save", "--format", "docker-archive", "-o", archive.toString(), image);
      run(ctr("images", "import", archive.toString()));
      delete(archive);
    }
  }

  /** {@code alias} names {@code image} too, as a registry's second tag of one digest does. */
  public void tagImage(String image, String alias) {
    run(ctr("images", "tag", "--force", image, alias));
  }

  /** A one-layer image of a static binary, its entrypoint. */
  private void importBinaryImage(String image, Path binary) {
    Path rootfs = mkdirs(dir.resolve("rootfs-" + binary.getFileName()));
    try {
      Files.copy(resolve(binary), rootfs.resolve(binary.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    importImage(image, rootfs, "/" + binary.getFileName(), Map.of());
    deleteRecursively(rootfs);
  }

  /**
   * A one-layer image of the folder {@code rootfs} as its root (links kept), into the node's store; {@code entrypoint}
   * may be null.
   */
  public void importImage(String image, Path rootfs, String entrypoint, Map<String, String> env) {
    String repository = image.substring(0, image.lastIndexOf(':'));
    String tag = image.substring(image.lastIndexOf(':') + 1);
    Path layout = dir.resolve("oci-" + repository.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + tag);
    run(List.of("umoci", "init", "--layout", layout.toString()));
    run(List.of("umoci", "new", "--image", layout + ":" + tag));
    run(List.of("umoci", "insert", "--image", layout + ":" + tag, rootfs.toString(), "/"));
    List<String> config = new ArrayList<>(List.of("umoci", "config", "--image", layout + ":" + tag, "--os", "linux",
        "--architecture", "amd64", "--no-history"));
    if (entrypoint != null) {
      config.addAll(List.of("--config.entrypoint", entrypoint));
    }
    env.forEach((name, value) -> config.addAll(List.of("--config.env", name + "=" + value)));
    run(config);
    Path archive = dir.resolve(layout.getFileName() + ".tar");
    run(List.of("tar", "-C", layout.toString(), "-cf", archive.toString(), "."));
    // umoci names the image by its tag alone; the repository comes from here
    run(ctr("images", "import", "--base-name", repository, archive.toString()));
    deleteRecursively(layout);
    delete(archive);
  }

  /** The node's own folder for {@code name}: removed with the node. */
  public Path folder(String name) {
    return mkdirs(dir.resolve(name));
  }

  /**
   * Serves PersistentVolumeClaims of StorageClass {@code local-path} (the node's data claims on a real node) from
   * folders of this node, with rancher's local-path-provisioner as kind ships it, running beside the kubelet. Its
   * helper pods, which make and remove the folders, run {@code helperImage}, which must have a shell.
   */
  public void startLocalPathProvisioner(String helperImage) {
    String namespace = "local-path-storage";
    hostNamespace(namespace);
    Path volumes = folder("local-path");
    plane.client().resourceList(LOCAL_PATH_MANIFESTS.formatted(namespace, helperImage,
        LOCAL_PATH_PROVISIONER)).serverSideApply();
    // its settings from a file of the node's folder: a node torn down after a crash finds the process by that path
    Path config = write(folder("local-path-provisioner").resolve("config.json"),
        "{\"nodePathMap\": [{\"node\": \"DEFAULT_PATH_FOR_NON_LISTED_NODES\", \"paths\": [\"" + volumes + "\"]}]}");
    launch("local-path-provisioner", List.of(plane.binaries().localPathProvisioner().toString(), "start",
        "--config", config.toString(),
        "--kubeconfig", plane.kubeconfig().toString(), "--namespace", namespace,
        "--configmap-name", "local-path-config", "--service-account-name", "default",
        "--helper-image", helperImage, "--provisioner-name", LOCAL_PATH_PROVISIONER));
  }

  /** The kubelet's cgroup root, made in every hierarchy, with the cpuset that cgroup v1 does not inherit. */
  private void createCgroupRoot() {
    for (Path hierarchy : cgroupHierarchies()) {
      Path root = mkdirs(hierarchy.resolve(CGROUP_ROOT));
      for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
        if (Files.exists(hierarchy.resolve(file))) {
          write(root.resolve(file), readOr(hierarchy.resolve(file), ""));
        }
      }
    }
  }

  private void startKubelet() {
    CertificateAuthority ca = plane.certificateAuthority();
    Path kubelet = mkdirs(dir.resolve("kubelet"));
    Path pki = mkdirs(kubelet.resolve("pki"));
    Path caFile = write(pki.resolve("ca.crt"), ca.certificate().certificatePem());
    IssuedCertificate serving = ca.issueServing(NODE_NAME, List.of(ip(), NODE_NAME), CERT_VALIDITY);
    Path servingCert = write(pki.resolve("serving.crt"), serving.certificatePem());
    Path servingKey = write(pki.resolve("serving.key"), serving.privateKeyPem());
    // the Node authorizer and NodeRestriction know a kubelet by this name and group
    Path kubeconfig = plane.kubeconfigForClient("kubelet.kubeconfig",
        ca.issueClient("system:node:" + NODE_NAME, List.of("system:nodes"), CERT_VALIDITY));
    // pods with dnsPolicy Default get this empty file: no nameserver of the host, so no query leaves the machine
    Path resolvConf = write(kubelet.resolve("resolv.conf"), "");
    Path config = write(kubelet.resolve("config.yaml"), kubeletConfig(new KubeletSettings(ip(),
        FreePort.next(), FreePort.next(), caFile, servingCert, servingKey, socket(), resolvConf,
        mkdirs(dir.resolve("pod-logs")), kubelet.resolve("volume-plugins"))));
    launch("kubelet", NodeNetwork.inside(List.of(plane.binaries().kubelet().toString(), "--config=" + config,
        "--kubeconfig=" + kubeconfig, "--root-dir=" + kubelet, "--cert-dir=" + pki,
        "--hostname-override=" + NODE_NAME, "--node-ip=" + ip(), "--v=1")));
  }

  private void startKubeProxy() {
    CertificateAuthority ca = plane.certificateAuthority();
    // bound to system:node-proxier by Kubernetes' default ClusterRoleBindings
    Path kubeconfig = plane.kubeconfigForClient("kube-proxy.kubeconfig",
        ca.issueClient("system:kube-proxy", List.of(), CERT_VALIDITY));
    Path config = write(dir.resolve("kube-proxy.yaml"),
        kubeProxyConfig(kubeconfig, ip(), FreePort.next(), FreePort.next()));
    launch("kube-proxy", NodeNetwork.inside(List.of(plane.binaries().kubeProxy().toString(), "--config=" + config)));
  }

  private void startCoreDns(HostsFile hostsFile) {
    Path hostsFolder = hostsFile.path().toAbsolutePath().getParent();
    plane.client().resourceList(coreDnsManifests(hostsFolder, hostsFile.path().getFileName().toString()))
        .serverSideApply();
    await("CoreDNS to be Ready", () -> podsReady(plane.client(), "kube-system", "k8s-app", "kube-dns"));
    // kube-proxy programs the DNS Service a moment after its endpoint is Ready; until then the guard refuses it
    await("the cluster DNS Service to answer", () -> resolve("kubernetes.default.svc.cluster.local")
        .equals(ControlPlane.API_SERVICE_IP));
  }

  /** An A record of {@code name} from the cluster's DNS Service, asked from this machine. */
  public static String resolve(String name) throws NamingException {
    Hashtable<String, String> environment = new Hashtable<>();
    environment.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
    environment.put("java.naming.provider.url", "dns://" + DNS_SERVICE_IP);
    environment.put("com.sun.jndi.dns.timeout.initial", "1000");
    environment.put("com.sun.jndi.dns.timeout.retries", "2");
    InitialDirContext dns = new InitialDirContext(environment);
    try {
      Attribute address = dns.getAttributes(name, new String[] {"A"}).get("A");
      if (address == null) {
        throw new NameNotFoundException("no A record for " + name);
      }
      return address.get().toString();
    } finally {
      dns.close();
    }
  }

  private boolean nodeReady() {
    Node node = plane.client().nodes().withName(NODE_NAME).get();
    return node != null && node.getStatus() != null && node.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** True when pods labelled {@code key=value} exist in {@code namespace} and all are Ready. */
  static boolean podsReady(KubernetesClient client, String namespace, String key, String value) {
    List<Pod> pods = client.pods().inNamespace(namespace).withLabel(key, value).list().getItems();
    return !pods.isEmpty() && pods.stream().allMatch(p -> p.getStatus() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
  }

  /** A condition that may fail while it is not met yet. */
  private interface Check {
    boolean holds() throws Exception;
  }

  private void await(String what, Check condition) {
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      for (LocalProcess process : processes) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the node did not start: " + process.describeExit());
        }
      }
      try {
        if (condition.holds()) {
          return;
        }
      } catch (Exception notYet) {
        // asked again until the deadline
      }
      sleep(Duration.ofMillis(250));
    }
    throw new IllegalStateException("timed out after " + STARTUP_TIMEOUT.toSeconds() + " s waiting for " + what
        + "; logs are in " + dir);
  }

  // ------------------------------------------------------------------------------------------------ configuration

  static Map<String, String> prerequisites() {
    Map<String, String> programs = new LinkedHashMap<>();
    programs.put("containerd", "containerd");
    programs.put("ctr", "containerd");
    programs.put("runc", "runc");
    programs.put(CNI_BIN.resolve("bridge").toString(), "containernetworking-plugins");
    programs.put("iptables", "iptables");
    programs.put("ip", "iproute2");
    programs.put("nsenter", "util-linux");
    programs.put("unshare", "util-linux");
    programs.put("mountpoint", "util-linux");
    programs.put("sysctl", "procps");
    programs.put("umoci", "umoci");
    programs.put("conntrack", "conntrack");
    programs.put("nft", "nftables");
    programs.put("podman", "podman");
    // the shell and tools of the seid stand-in's image and the storage helper pods (SeidStandIn)
    programs.put(SeidStandIn.BUSYBOX.toString(), "busybox-static");
    return Collections.unmodifiableMap(programs);
  }

  /** containerd's configuration: everything it keeps under {@code dir}, the CRI plugin set up for this host. */
  static String containerdConfig(Path dir, Path cniConfDir) {
    return """
        version = 2
        root = "%1$s/root"
        state = "%1$s/state"
        disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", \
        "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", \
        "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
        [grpc]
          address = "%1$s/containerd.sock"
        [ttrpc]
          address = "%1$s/containerd.sock.ttrpc"
        [plugins."io.containerd.internal.v1.opt"]
          path = "%1$s/opt"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%2$s"
          disable_apparmor = true
          restrict_oom_score_adj = true
          disable_hugetlb_controller = true
          enable_selinux = false
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
                Root = "%1$s/runc"
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "%3$s"
            conf_dir = "%4$s"
            max_conf_num = 1
        """.formatted(dir, PAUSE_IMAGE, CNI_BIN, cniConfDir);
  }

  /**
   * The pods' network: a bridge with this machine as gateway, and no masquerading, since pods only talk to this
   * machine (it also spares the per-pod NAT chains).
   */
  static String cniConfig(Path ipamDir) {
    return """
        {"cniVersion": "1.0.0", "name": "%s", "plugins": [
          {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false, "hairpinMode": true,
           "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]],
                    "routes": [{"dst": "0.0.0.0/0"}]}},
          {"type": "portmap", "capabilities": {"portMappings": true}}
        ]}
        """.formatted(CNI_NETWORK, BRIDGE, ipamDir, POD_SUBNET);
  }

  record KubeletSettings(String nodeIp, int port, int healthzPort, Path caFile, Path servingCert, Path servingKey,
      Path containerdSocket, Path resolvConf, Path podLogs, Path volumePlugins) {
  }

  /**
   * The kubelet's configuration: cgroup v1 with cgroupfs under its own root (so that close finds every container),
   * clients authenticated by certificate and authorized by the apiserver, no image garbage collection (the imported
   * images cannot be pulled again), and its plugin folder under the node's own (its default is in /usr/libexec).
   */
  static String kubeletConfig(KubeletSettings s) {
    return """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        address: %s
        port: %d
        readOnlyPort: 0
        healthzBindAddress: 127.0.0.1
        healthzPort: %d
        authentication:
          anonymous: {enabled: false}
          webhook: {enabled: true}
          x509: {clientCAFile: %s}
        authorization: {mode: Webhook}
        tlsCertFile: %s
        tlsPrivateKeyFile: %s
        cgroupDriver: cgroupfs
        cgroupRoot: /%s
        failSwapOn: false
        failCgroupV1: false
        containerRuntimeEndpoint: unix://%s
        imageServiceEndpoint: unix://%s
        podLogsDir: %s
        clusterDNS: [%s]
        clusterDomain: cluster.local
        resolvConf: %s
        evictionHard: {memory.available: "50Mi", nodefs.available: "1%%", imagefs.available: "1%%", \
        nodefs.inodesFree: "1%%"}
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        serializeImagePulls: false
        oomScoreAdj: 0
        volumePluginDir: %s
        registerWithTaints: [{key: %s, effect: NoSchedule}]
        """.formatted(s.nodeIp(), s.port(), s.healthzPort(), s.caFile(), s.servingCert(), s.servingKey(),
        CGROUP_ROOT, s.containerdSocket(), s.containerdSocket(), s.podLogs(), DNS_SERVICE_IP, s.resolvConf(),
        s.volumePlugins(), TAINT);
  }

  /**
   * kube-proxy in iptables mode: node ports on the node's address only, no conntrack tuning (the table's limit is
   * this machine's), and no localhost node ports (they need route_localnet on every interface).
   */
  static String kubeProxyConfig(Path kubeconfig, String nodeIp, int healthzPort, int metricsPort) {
    return """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        clientConnection: {kubeconfig: %s}
        hostnameOverride: %s
        mode: iptables
        clusterCIDR: %s
        bindAddress: %s
        healthzBindAddress: 127.0.0.1:%d
        metricsBindAddress: 127.0.0.1:%d
        nodePortAddresses: ["%s/32"]
        oomScoreAdj: 0
        conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
        iptables: {localhostNodePorts: false}
        """.formatted(kubeconfig, NODE_NAME, CLUSTER_CIDR, nodeIp, healthzPort, metricsPort, nodeIp);
  }

  /**
   * The guard chains of the node's namespace, as iptables argument lists: a Service address that kube-proxy has not
   * translated (before its first sync, or a Service without endpoints) would follow the default route to this machine
   * and back, and a pod's traffic to any address but the apiserver's side of the link would leave through this
   * machine; both are refused.
   */
  static List<List<String>> guardRules() {
    String notTranslated = "-m conntrack ! --ctstate DNAT";
    return Stream.of(
        "-N " + GUARD_OUTPUT_CHAIN,
        "-A " + GUARD_OUTPUT_CHAIN + " -d " + ControlPlane.SERVICE_RANGE + " " + notTranslated + " -j REJECT",
        "-I OUTPUT 1 -j " + GUARD_OUTPUT_CHAIN,
        "-N " + GUARD_FORWARD_CHAIN,
        "-A " + GUARD_FORWARD_CHAIN + " -i " + BRIDGE + " ! -o " + BRIDGE + " ! -d " + NodeNetwork.HOST_ADDRESS
            + " -j REJECT",
        "-A " + GUARD_FORWARD_CHAIN + " -d " + ControlPlane.SERVICE_RANGE + " " + notTranslated + " -j REJECT",
        "-I FORWARD 1 -j " + GUARD_FORWARD_CHAIN)
        .map(rule -> Stream.concat(Stream.of("iptables", "-w"), Stream.of(rule.split(" "))).toList())
        .toList();
  }

  /**
   * CoreDNS as the cluster's DNS Service: the names of the hosts file in {@code hostsFolder} (mounted from this
   * machine, re-read every 2 s), then the cluster zone. It has no forward plugin: any other name is SERVFAIL.
   */
  static String coreDnsManifests(Path hostsFolder, String hostsFileName) {
    return """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: coredns, namespace: kube-system}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "system:coredns"}
        rules:
        - {apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch]}
        - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "system:coredns"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
        subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: coredns, namespace: kube-system}
        data:
          Corefile: |
            .:53 {
                errors
                health :8080
                ready :8181
                hosts /etc/hosts-file/%2$s {
                    ttl 5
                    reload 2s
                    fallthrough
                }
                kubernetes cluster.local in-addr.arpa ip6.arpa {
                    pods insecure
                    fallthrough in-addr.arpa ip6.arpa
                    ttl 5
                }
                cache 5
                loadbalance
            }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
        spec:
          replicas: 1
          selector: {matchLabels: {k8s-app: kube-dns}}
          template:
            metadata: {labels: {k8s-app: kube-dns}}
            spec:
              serviceAccountName: coredns
              dnsPolicy: Default
              nodeSelector: {kubernetes.io/hostname: %3$s}
              tolerations: [{key: %6$s, operator: Exists, effect: NoSchedule}]
              priorityClassName: system-cluster-critical
              containers:
              - name: coredns
                image: %4$s
                imagePullPolicy: Never
                args: ["-conf", "/etc/coredns/Corefile"]
                ports:
                - {name: dns, containerPort: 53, protocol: UDP}
                - {name: dns-tcp, containerPort: 53, protocol: TCP}
                readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 1}
                livenessProbe: {httpGet: {path: /health, port: 8080}}
                resources: {limits: {memory: 100Mi}, requests: {cpu: 50m, memory: 30Mi}}
                securityContext:
                  readOnlyRootFilesystem: true
                  allowPrivilegeEscalation: false
                  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
                volumeMounts:
                - {name: config, mountPath: /etc/coredns, readOnly: true}
                - {name: hosts-file, mountPath: /etc/hosts-file, readOnly: true}
              volumes:
              - {name: config, configMap: {name: coredns}}
              - {name: hosts-file, hostPath: {path: %1$s, type: Directory}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
        spec:
          clusterIP: %5$s
          selector: {k8s-app: kube-dns}
          ports:
          - {name: dns, port: 53, protocol: UDP}
          - {name: dns-tcp, port: 53, protocol: TCP}
        """.formatted(hostsFolder, hostsFileName, NODE_NAME, COREDNS_IMAGE, DNS_SERVICE_IP, TAINT);
  }

  // ------------------------------------------------------------------------------------------------ teardown

  @Override
  public void close() {
    tearDown();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is tearing down
    }
  }

  /**
   * In the order that lets each part clean up after itself: the kubelet stops the pods (CNI DEL, volume unmounts)
   * while the apiserver and containerd still run; then whatever a crash may have left is removed by force.
   */
  private synchronized void tearDown() {
    if (tornDown) {
      return;
    }
    tornDown = true;
    stopPods();
    stopProcess("local-path-provisioner");
    stopProcess("kube-proxy");
    stopProcess("kubelet");
    removeContainers();
    stopProcess("containerd");
    // a crashed node's kubelet and containerd first: running, they would start new shims for the sandboxes killed
    killProcessesOfThisNode();
    killShims();
    killCgroupProcesses();
    removeNetworkNamespaces();
    unmountUnder(dir);
    removeCgroups();
    removeHostFiles();
    hostBefore.sysctls().forEach(this::writeSysctl);
    deleteRecursively(dir);
    delete(RECORD);
    delete(RECORD.getParent());
  }

  /**
   * containerd, kubelet, kube-proxy and the local-path provisioner of a node whose JVM is gone: their command lines
   * name the node's folder (so do the shims', which {@link #killShims} has taken with their sockets).
   */
  private void killProcessesOfThisNode() {
    List<ProcessHandle> left = ProcessHandle.allProcesses()
        .filter(p -> p.pid() != ProcessHandle.current().pid() && isNodeProcess(p.info().command().orElse(""),
            commandLine(p.pid()), dir))
        .toList();
    left.forEach(ProcessHandle::destroyForcibly);
    // gone before the node's network namespace is freed, which waits for every process in it
    left.forEach(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(timedOut -> p).join());
  }

  /**
   * Whether the process running {@code executable} with {@code commandLine} is one that the node in {@code folder}
   * launched: one of its programs, named with its folder. Anyone else's process that merely names the folder (a
   * shell in it, a pager on its logs) is not.
   */
  static boolean isNodeProcess(String executable, String commandLine, Path folder) {
    int slash = executable.lastIndexOf('/');
    return NODE_PROGRAMS.contains(executable.substring(slash + 1)) && commandLine.contains(folder + "/");
  }

  private void stopPods() {
    if (!isRunning("kubelet") || !isRunning("containerd")) {
      return;
    }
    try {
      KubernetesClient client = plane.client();
      client.pods().inAnyNamespace().list().getItems().stream()
          .filter(p -> NODE_NAME.equals(p.getSpec().getNodeName()))
          .forEach(p -> client.pods().inNamespace(p.getMetadata().getNamespace())
              .withName(p.getMetadata().getName()).withGracePeriod(0).delete());
    } catch (RuntimeException apiserverGone) {
      // the containers are removed through containerd below
    }
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline) && output(ctr("tasks", "ls")).contains("RUNNING")) {
      sleep(Duration.ofMillis(250));
    }
  }

  private void removeContainers() {
    if (!isRunning("containerd")) {
      return;
    }
    for (String id : lines(output(ctr("tasks", "ls", "-q")))) {
      exitCode(ctr("tasks", "kill", "-s", "SIGKILL", id));
    }
    sleep(Duration.ofMillis(500));
    for (String id : lines(output(ctr("containers", "ls", "-q")))) {
      exitCode(ctr("tasks", "delete", "-f", id));
      exitCode(ctr("containers", "delete", id));
    }
  }

  /**
   * The shims of this node's containerd (named by its socket), which outlive it; then the sockets they listened on in
   * /run/containerd/s, which a killed shim leaves behind.
   */
  private void killShims() {
    String address = "-address " + socket();
    List<ProcessHandle> shims = ProcessHandle.allProcesses()
        .filter(p -> commandLine(p.pid()).contains(address)).toList();
    Set<String> inodes = shims.stream().flatMap(shim -> socketInodes(shim.pid()).stream()).collect(Collectors.toSet());
    List<String> sockets = unixSocketPaths(readOr(Path.of("/proc/net/unix"), ""), inodes::contains).stream()
        .filter(path -> path.startsWith(SHIM_SOCKETS + "/")).toList();
    shims.forEach(ProcessHandle::destroyForcibly);
    shims.forEach(shim -> shim.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(timedOut -> shim).join());
    sockets.forEach(socket -> delete(Path.of(socket)));
  }

  /** The inodes of the sockets a process holds open. */
  private static Set<String> socketInodes(long pid) {
    Set<String> inodes = new TreeSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        Matcher socket = Pattern.compile("socket:\\[([0-9]+)]").matcher(readLink(fd));
        if (socket.matches()) {
          inodes.add(socket.group(1));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // the process is gone
    }
    return inodes;
  }

  /** From /proc/net/unix, the paths of the bound sockets whose inode (its 7th column; the path the 8th) matches. */
  static List<String> unixSocketPaths(String procNetUnix, Predicate<String> inode) {
    return lines(procNetUnix).stream().skip(1)
        .map(line -> line.split("\\s+"))
        .filter(columns -> columns.length >= 8 && inode.test(columns[6]) && columns[7].startsWith("/"))
        .map(columns -> columns[7]).distinct().toList();
  }

  /**
   * In a shim socket folder this node created, the sockets nothing is bound to any more: a shim that exits after its
   * containerd leaves its socket.
   */
  private void removeStaleShimSockets() {
    if (hostBefore.folders().contains(SHIM_SOCKETS.toString()) || !Files.isDirectory(SHIM_SOCKETS)) {
      return;
    }
    Set<String> bound = Set.copyOf(unixSocketPaths(readOr(Path.of("/proc/net/unix"), ""), inode -> true));
    try (Stream<Path> sockets = Files.list(SHIM_SOCKETS)) {
      sockets.filter(socket -> !bound.contains(socket.toString())).forEach(LocalNode::delete);
    } catch (IOException e) {
      // reported by whoever checks the host afterwards
    }
  }

  /** Containers whose shim died (a crash) keep running: every process left in the node's cgroups. */
  private void killCgroupProcesses() {
    for (int attempt = 0; attempt < 10; attempt++) {
      List<Long> pids = cgroupPids();
      if (pids.isEmpty()) {
        return;
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      sleep(Duration.ofMillis(300));
    }
  }

  private List<Long> cgroupPids() {
    List<Long> pids = new ArrayList<>();
    for (Path hierarchy : cgroupHierarchies()) {
      Path root = hierarchy.resolve(CGROUP_ROOT);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(f -> f.getFileName().toString().equals("cgroup.procs"))
            .flatMap(f -> lines(readOr(f, "")).stream())
            .map(Long::parseLong)
            .forEach(pids::add);
      } catch (IOException | UncheckedIOException e) {
        // a cgroup removed meanwhile
      }
    }
    return pids.stream().distinct().toList();
  }

  /**
   * Sandbox network namespaces (/var/run/netns/cni-*, a path containerd 1.6 does not let one configure), found from
   * this network's CNI results, which name them even when containerd is gone; then those results.
   */
  private void removeNetworkNamespaces() {
    Path results = Path.of("/var/lib/cni/results");
    if (!Files.isDirectory(results)) {
      return;
    }
    List<String> ids = new ArrayList<>();
    try (Stream<Path> files = Files.list(results)) {
      for (Path result : files.toList()) {
        String file = result.getFileName().toString();
        if (file.startsWith(CNI_NETWORK + "-") && file.endsWith("-eth0")) {
          ids.add(file.substring(CNI_NETWORK.length() + 1, file.length() - "-eth0".length()));
          networkNamespace(readOr(result, "")).ifPresent(netns -> {
            exitCode(List.of("umount", netns));
            delete(Path.of(netns));
          });
        }
      }
      for (Path result : Files.list(results).toList()) {
        if (ids.stream().anyMatch(id -> result.getFileName().toString().contains("-" + id + "-"))) {
          delete(result);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sandbox's network namespace named in a CNI result file. */
  static Optional<String> networkNamespace(String cniResult) {
    Matcher matcher = Pattern.compile("/var/run/netns/cni-[0-9a-f-]+").matcher(cniResult);
    return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
  }

  /** The kubelet's bind mount of its root, volumes, sandbox shm and rootfs overlays: deepest first. */
  private void unmountUnder(Path folder) {
    String prefix = folder.toString();
    List<String> mounts = lines(readOr(Path.of("/proc/self/mounts"), "")).stream()
        .map(line -> line.split(" ")[1])
        .filter(mount -> mount.startsWith(prefix))
        .sorted(Comparator.reverseOrder())
        .toList();
    for (String mount : mounts) {
      if (exitCode(List.of("umount", mount)) != 0) {
        exitCode(List.of("umount", "-l", mount));
      }
    }
  }

  private void removeCgroups() {
    for (Path hierarchy : cgroupHierarchies()) {
      Path root = hierarchy.resolve(CGROUP_ROOT);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(root)) {
        // a cgroup is removed with rmdir, its control files with it
        paths.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // reported by whoever checks the host afterwards
      }
    }
  }

  private void removeHostFiles() {
    removeStaleShimSockets();
    Path containerLogs = Path.of("/var/log/containers");
    if (Files.isDirectory(containerLogs)) {
      try (Stream<Path> links = Files.list(containerLogs)) {
        links.filter(l -> Files.isSymbolicLink(l) && readLink(l).startsWith(dir.toString())).forEach(LocalNode::delete);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (!hostBefore.folders().contains("/var/lib/kubelet/device-plugins")) {
      delete(Path.of("/var/lib/kubelet/device-plugins/kubelet.sock"));
    }
    for (String folder : FIXED_HOST_FOLDERS) {
      if (!hostBefore.folders().contains(folder)) {
        Path.of(folder).toFile().delete(); // only when empty: something else may have filled it meanwhile
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private Path socket() {
    return dir.resolve("containerd/containerd.sock");
  }

  private List<String> ctr(String... args) {
    List<String> command = new ArrayList<>(List.of("ctr", "-a", socket().toString(), "-n", "k8s.io"));
    command.addAll(List.of(args));
    return command;
  }

  private void launch(String name, List<String> command) {
    processes.add(LocalProcess.start(name, command, dir.resolve(name + ".log")));
  }

  private boolean isRunning(String name) {
    return processes.stream().anyMatch(p -> p.name().equals(name) && p.isAlive());
  }

  private void stopProcess(String name) {
    processes.stream().filter(p -> p.name().equals(name)).forEach(LocalProcess::close);
  }

  private void writeSysctl(String key, String value) {
    if (!value.isEmpty()) {
      write(Path.of("/proc/sys", key), value);
    }
  }

  private static List<Path> cgroupHierarchies() {
    try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
      return hierarchies.filter(h -> Files.exists(h.resolve("cgroup.procs"))).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String commandLine(long pid) {
    return readOr(Path.of("/proc", Long.toString(pid), "cmdline"), "").replace('\0', ' ');
  }

  private static boolean onPath(String program) {
    if (program.startsWith("/")) {
      return Files.isExecutable(Path.of(program));
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
        .anyMatch(folder -> Files.isExecutable(Path.of(folder, program)));
  }

  private static List<String> lines(String text) {
    return text.lines().map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.toList());
  }

  private static Path resolve(Path link) {
    try {
      return link.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(link + " is missing; run control-plane.sh build kubelet kube-proxy coredns pause", e);
    }
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Read as a stream: the files of /proc and /sys report a size of 0, and Files.readString then returns only their
   * first byte (a sysctl of 200 read as 2, and restored so).
   */
  private static String readOr(Path file, String fallback) {
    try (var in = Files.newInputStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return fallback;
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // reported by whoever checks the host afterwards
    }
  }

  private static void deleteRecursively(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // reported by whoever checks the host afterwards
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
