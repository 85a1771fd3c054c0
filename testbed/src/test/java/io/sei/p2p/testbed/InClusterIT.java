package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.naming.NamingException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The system installed as users install it, on a real one-node cluster of this machine: first the previous release's
 * manifests, then upgraded to these. Needs root. The checks build on each other (the webhook is refused its tcp
 * publication before the VPC setting is widened, the upgrade finds the nodes published before it), hence their order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InClusterIT {

  private static final Path REPO = RepoRoot.find();
  /**
   * The VPC the fake nodes' pod CIDRs lie in (ControlPlane.NODES); the real node's pods, the webhook among them, are
   * outside it, so tcp publication is refused until {@link #ROUTABLE_VPC_CIDRS} is set.
   */
  private static final String VPC_CIDR = "10.0.0.0/16";
  private static final String ROUTABLE_VPC_CIDRS = VPC_CIDR + "," + LocalNode.CLUSTER_CIDR;
  private static final Duration CONVERGENCE_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(3);
  private static final UnaryOperator<String> PREVIOUS_TAG = image -> image.substring(0, image.lastIndexOf(':'))
      + ":previous-release";
  /** Long enough for a new controller to reconcile every node it finds. */
  private static final Duration ADOPTION = Duration.ofSeconds(20);

  private static ControlPlane plane;
  private static LocalNode node;
  private static HostsFile hostsFile;
  private static Images images;

  @BeforeAll
  static void startCluster() throws Exception {
    plane = ControlPlane.startForRealNode(ControlPlaneBinaries.locate("kubelet", "kube-proxy", "coredns", "pause"));
    hostsFile = new HostsFile(Files.createDirectories(plane.workDir().resolve("lb-hosts")).resolve("hosts"));
    hostsFile.put("service-uid-1", "nlb-one.elb.us-east-1.amazonaws.com");
    node = LocalNode.start(plane, hostsFile);
    images = Images.build();
    node.importImages(images);
    // the previous release's images: these, under another tag, so that the upgrade rolls both Deployments
    Images previous = new Images(PREVIOUS_TAG.apply(images.webhook()), PREVIOUS_TAG.apply(images.controller()),
        images.podmanEnv());
    node.tagImage(images.webhook(), previous.webhook());
    node.tagImage(images.controller(), previous.controller());
    // as the previous release installed: the CRDs inside the overlay, so one apply
    node.hostNamespace(Rbac.NAMESPACE);
    Path installation = Installation.write(plane.workDir().resolve("previous-installation"),
        Installation.previousManifests(plane.workDir().resolve("previous-release")), "self-signed", previous,
        VPC_CIDR, Map.of());
    Kubectl.Result applied = plane.kubectl().run("apply", "--server-side", "-k", installation.toString());
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();
  }

  /** As users install it, on a cluster whose administrator placed the system's namespace on the real node. */
  private static void install(Path installation) {
    node.hostNamespace(Rbac.NAMESPACE);
    Kubectl.Result applied = Installation.apply(plane.kubectl(), installation);
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();
  }

  @AfterAll
  static void stopCluster() {
    if (node != null) {
      node.close();
    }
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  @Order(3)
  void theSystemRunsInItsPodsOnTheRealNodeWithReadOnlyRootsAndLimits() throws Exception {
    awaitRolledOut("sei-p2p-webhook");
    awaitRolledOut("sei-p2p-controller");
    List<Pod> pods = plane.client().pods().inNamespace(Rbac.NAMESPACE).list().getItems();

    assertThat(pods).hasSize(3).allSatisfy(pod -> {
      assertThat(pod.getSpec().getNodeName()).isEqualTo(node.name());
      Path cgroup = containerMemoryCgroup(pod);
      long limit = pod.getSpec().getContainers().get(0).getResources().getLimits().get("memory")
          .getNumericalAmount().longValueExact();
      // as the kernel enforces them: the cgroup's limit, and the root mount of the container's first process
      assertThat(read(cgroup.resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(limit));
      String pid = read(cgroup.resolve("cgroup.procs")).lines().findFirst().orElseThrow();
      assertThat(read(Path.of("/proc", pid, "mountinfo")).lines().map(line -> line.split(" "))
          .filter(fields -> fields[4].equals("/")).map(fields -> fields[5]).toList())
          .singleElement().satisfies(options -> assertThat(options).startsWith("ro"));
    });
  }

  /** A Burstable pod's container under the node's cgroup root (cgroup v1, cgroupfs driver). */
  private static Path containerMemoryCgroup(Pod pod) {
    String containerId = pod.getStatus().getContainerStatuses().get(0).getContainerID().replace("containerd://", "");
    return Path.of("/sys/fs/cgroup/memory", LocalNode.CGROUP_ROOT, "kubepods/burstable",
        "pod" + pod.getMetadata().getUid(), containerId);
  }

  /** As a stream: files of /proc and /sys report size 0, and Files.readString returns only their first byte. */
  private static String read(Path file) {
    try (var in = Files.newInputStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @Order(4)
  void theApiserverCallsTheWebhookThroughItsService() throws Exception {
    awaitWebhookReady();
    String namespace = plane.newNamespace("in-cluster");
    Kubectl.Result legacy = plane.kubectl().run("apply", "-n", namespace, "-f",
        REPO.resolve("manifests/examples/legacy-node.yaml").toString());
    Kubectl.Result tcp = plane.kubectl().run("apply", "-n", namespace, "-f",
        REPO.resolve("manifests/examples/not-routable/tcp-node.yaml").toString());

    assertThat(legacy.succeeded()).as(legacy.toString()).isTrue();
    assertThat(tcp.succeeded()).isFalse();
    // only the webhook knows its pod's IP: the refusal came from a replica, through the Service
    List<String> refusals = webhookPodIps().stream().map(ip -> ("The SeiNode \"lonely-validator\" is invalid: "
        + "spec.networking.tcp: this cluster cannot publish nodes over tcp: pod IP %s is outside VPC CIDR %s "
        + "(overlay network). Remove spec.networking.tcp, or run the sei-p2p webhook and controller with "
        + "SEI_VPC_CIDR set to the VPC CIDRs that contain the pod IPs (or SEI_NLB_TARGET_TYPE=instance)\n")
        .formatted(ip, VPC_CIDR)).toList();
    assertThat(tcp.stderr()).isIn(refusals);
  }

  private static List<String> webhookPodIps() {
    return plane.client().pods().inNamespace(Rbac.NAMESPACE)
        .withLabel("app.kubernetes.io/name", "sei-p2p-webhook").list().getItems().stream()
        .map(pod -> pod.getStatus().getPodIP()).toList();
  }

  private static void awaitWebhookReady() {
    awaitRolledOut("sei-p2p-webhook");
  }

  private static void awaitRolledOut(String deployment) {
    Await.until(deployment + " rolled out", ROLLOUT_TIMEOUT, () -> Installation.rolledOut(
        plane.client().apps().deployments().inNamespace(Rbac.NAMESPACE).withName(deployment).get()),
        () -> plane.client().pods().inNamespace(Rbac.NAMESPACE).list().getItems().stream()
            .map(pod -> pod.getMetadata().getName() + " " + pod.getStatus().getPhase() + " "
                + pod.getStatus().getConditions().stream().map(c -> c.getType() + "=" + c.getStatus()).toList()
                + " " + pod.getStatus().getContainerStatuses() + "\n  log: " + lastLogLines(pod)
                + "\n  previous log: " + lastLogLines(pod, "--previous"))
            .toList().toString());
  }

  private static String lastLogLines(Pod pod, String... options) {
    List<String> command = new ArrayList<>(List.of("logs", "-n", Rbac.NAMESPACE, pod.getMetadata().getName(),
        "--tail=15"));
    command.addAll(List.of(options));
    Kubectl.Result logs = plane.kubectl().run(command.toArray(String[]::new));
    return logs.stdout() + logs.stderr();
  }

  @Test
  @Order(5)
  void theControllerInItsPodConvergesTheExamplesWithTheSimulator() throws Exception {
    Kubectl.Result widened = plane.kubectl().run("set", "env", "-n", Rbac.NAMESPACE,
        "deployment/sei-p2p-webhook", "deployment/sei-p2p-controller", "SEI_VPC_CIDR=" + ROUTABLE_VPC_CIDRS);
    assertThat(widened.succeeded()).as(widened.toString()).isTrue();
    awaitWebhookReady();
    // a terminating pod keeps serving through its preStop, with the old setting: wait until only new ones answer
    Await.until("the old webhook pods gone", ROLLOUT_TIMEOUT, () -> plane.client().pods()
        .inNamespace(Rbac.NAMESPACE).withLabel("app.kubernetes.io/name", "sei-p2p-webhook").list().getItems()
        .stream().noneMatch(pod -> pod.getMetadata().getDeletionTimestamp() != null));
    String namespace = plane.newNamespace("examples");

    try (LoadBalancerSimulator simulator = LoadBalancerSimulator.start(plane.client(), hostsFile,
        Duration.ofSeconds(1), Duration.ofSeconds(1))) {
      Kubectl.Result applied = plane.kubectl().run("apply", "-n", namespace, "-f",
          REPO.resolve("manifests/examples").toString());
      assertThat(applied.succeeded()).as(applied.toString()).isTrue();

      // the controller resolves each NLB name through the cluster's DNS before it publishes it
      Await.until("every tcp example published at its NLB", CONVERGENCE_TIMEOUT, () -> {
        List<SeiNode> tcpNodes = plane.client().resources(SeiNode.class).inNamespace(namespace).list().getItems()
            .stream().filter(n -> n.getSpec().networking() != null && n.getSpec().networking().tcpEnabled()).toList();
        return !tcpNodes.isEmpty() && tcpNodes.stream().allMatch(n -> n.getStatus() != null
            && n.getStatus().externalAddress() != null
            && n.getStatus().externalAddress().endsWith(".amazonaws.com:26656"));
      });
    }
    // the real node's taint keeps seid pods, whose image cannot be had here, on KWOK's nodes
    Await.until("the examples' pods scheduled", CONVERGENCE_TIMEOUT, () -> {
      List<Pod> pods = plane.client().pods().inNamespace(namespace).list().getItems();
      return !pods.isEmpty() && pods.stream().allMatch(pod -> pod.getSpec().getNodeName() != null);
    });
    assertThat(plane.client().pods().inNamespace(namespace).list().getItems())
        .allSatisfy(pod -> assertThat(pod.getSpec().getNodeName()).isNotEqualTo(node.name()));
  }

  /**
   * README, "Upgrading": from the previous release's installation (its manifests, the CRDs inside the overlay, and
   * its images' tag), apply these CRDs, then this overlay, while users create nodes. Both Deployments roll; no apply
   * fails; and every user's node keeps its objects (no load balancer Service replaced, no pod restarted) and its
   * address.
   */
  @Test
  @Order(6)
  void upgradingFromThePreviousReleaseKeepsEveryNodeAndFailsNoApply() throws Exception {
    Map<String, String> objects = usersObjects();
    Map<String, String> addresses = addresses();
    assertThat(addresses).as("the published nodes of the examples").isNotEmpty();
    assertThat(objects.keySet()).anyMatch(key -> key.startsWith("Service ") && key.endsWith("-p2p"));

    List<String> failures = appliesFailedWhile(plane.newNamespace("upgrade"), () -> {
      install(Installation.write(plane.workDir().resolve("installation"), "self-signed", images,
          ROUTABLE_VPC_CIDRS));
      awaitRolledOut("sei-p2p-controller");
      awaitRolledOut("sei-p2p-webhook");
    });

    assertThat(failures).as("applies that failed during the upgrade").isEmpty();
    for (String deployment : List.of("sei-p2p-webhook", "sei-p2p-controller")) {
      assertThat(plane.client().apps().deployments().inNamespace(Rbac.NAMESPACE).withName(deployment).get()
          .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).as(deployment + "'s image")
          .isIn(images.webhook(), images.controller());
    }
    Thread.sleep(ADOPTION.toMillis());
    assertThat(usersObjects()).as("the users' objects, by UID, after the upgrade").containsAllEntriesOf(objects);
    assertThat(addresses()).as("the published addresses after the upgrade").isEqualTo(addresses);
  }

  @Test
  @Order(7)
  void aRollingRestartOfTheWebhookFailsNoApply() throws Exception {
    List<String> failures = appliesFailedWhile(plane.newNamespace("rollout"), () -> {
      Kubectl.Result restart = plane.kubectl().run("rollout", "restart", "-n", Rbac.NAMESPACE,
          "deployment/sei-p2p-webhook");
      assertThat(restart.succeeded()).as(restart.toString()).isTrue();
      awaitWebhookReady();
    });

    assertThat(failures).isEmpty();
  }

  /** What a step of the tests does while users apply. */
  private interface Step {
    void run() throws Exception;
  }

  /**
   * Applies legacy nodes ({@code networking: {}}) into {@code namespace} at a user's pace while {@code during} runs and
   * for 10 s after it (past the old pods' preStop and termination: a refusal then would come from a pod already
   * gone), and checks that each one applied was defaulted to http; the applies that failed.
   */
  private static List<String> appliesFailedWhile(String namespace, Step during) throws Exception {
    AtomicBoolean applying = new AtomicBoolean(true);
    AtomicInteger applied = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread applier = new Thread(() -> {
      while (applying.get()) {
        String name = namespace + "-" + applied.get();
        try {
          plane.client().resource(Manifests.fullNode(name, "networking: {}")).inNamespace(namespace).create();
          applied.incrementAndGet();
          // a user's pace, not a flood that starves the restarting pods of this machine's two cores
          Thread.sleep(200);
        } catch (RuntimeException e) {
          failures.add(name + ": " + e.getMessage());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "in-cluster-applier");
    applier.start();
    try {
      during.run();
      Thread.sleep(10_000);
    } finally {
      applying.set(false);
      applier.join();
    }
    assertThat(applied.get()).as("nodes applied meanwhile").isGreaterThan(20);
    // the mutating webhook answered each of them too: a legacy networking: {} was defaulted to http
    assertThat(plane.client().resources(SeiNode.class).inNamespace(namespace).list().getItems())
        .hasSize(applied.get())
        .allSatisfy(n -> assertThat(n.getSpec().networking().httpEnabled()).as(n.getMetadata().getName()
            + "'s networking, defaulted").isTrue());
    return failures;
  }

  /** Each published SeiNode's address. */
  private static Map<String, String> addresses() {
    Map<String, String> addresses = new TreeMap<>();
    plane.client().resources(SeiNode.class).inAnyNamespace().list().getItems().stream()
        .filter(n -> n.getStatus() != null && n.getStatus().externalAddress() != null)
        .forEach(n -> addresses.put(n.getMetadata().getNamespace() + "/" + n.getMetadata().getName(),
            n.getStatus().externalAddress()));
    return addresses;
  }

  @Test
  @Order(8)
  void aNewControllerPodTakesTheLeaseAndConvergesWithoutDuplicates() throws Exception {
    String namespace = plane.newNamespace("takeover");
    String before = controllerPods().get(0);
    String holderBefore = leaseHolder();
    try (LoadBalancerSimulator simulator = LoadBalancerSimulator.start(plane.client(), hostsFile,
        Duration.ofSeconds(1), Duration.ofSeconds(1))) {
      Kubectl.Result applied = plane.kubectl().run("apply", "-n", namespace, "-f",
          REPO.resolve("manifests/examples/publishing-deployment.yaml").toString());
      assertThat(applied.succeeded()).as(applied.toString()).isTrue();
      Kubectl.Result deleted = plane.kubectl().run("delete", "pod", "-n", Rbac.NAMESPACE, before, "--wait=false");
      assertThat(deleted.succeeded()).as(deleted.toString()).isTrue();

      Await.until("the three published nodes converged", CONVERGENCE_TIMEOUT.plus(Duration.ofMinutes(1)), () -> {
        List<SeiNode> nodes = plane.client().resources(SeiNode.class).inNamespace(namespace).list().getItems();
        return nodes.size() == 3 && nodes.stream().allMatch(n -> n.getStatus() != null
            && n.getStatus().externalAddress() != null)
            && plane.client().apps().statefulSets().inNamespace(namespace).list().getItems().size() == 3;
      });
    }

    assertThat(controllerPods()).singleElement().isNotEqualTo(before);
    assertThat(leaseHolder()).isNotNull().isNotEqualTo(holderBefore);
    assertThat(plane.client().resources(SeiNode.class).inNamespace(namespace).list().getItems()).hasSize(3);
    assertThat(plane.client().apps().statefulSets().inNamespace(namespace).list().getItems()).hasSize(3);
  }

  /**
   * README, "Uninstalling" and "Upgrading": deleting the overlay removes the system and leaves every user's node as
   * it was (its pod, its load balancer and so its address); installing again adopts them without writing anything
   * but status. Only the deliberate second step, deleting the CRDs, removes the nodes.
   */
  @Test
  @Order(9)
  void uninstallingTheOverlayLeavesEveryNodeAndAReinstallAdoptsThem() throws Exception {
    Path installation = plane.workDir().resolve("installation");
    Map<String, String> before = usersObjects();
    assertThat(before).as("the nodes of the checks above").isNotEmpty();

    Kubectl.Result deleted = plane.kubectl().run("delete", "--wait=false", "-k", installation.toString());
    assertThat(deleted.succeeded()).as(deleted.toString()).isTrue();
    Await.until("the system's namespace gone", CONVERGENCE_TIMEOUT,
        () -> plane.client().namespaces().withName(Rbac.NAMESPACE).get() == null);
    assertThat(usersObjects()).as("the users' objects, by UID, once the system is gone").isEqualTo(before);

    Instant reinstalled = Instant.now();
    install(installation);
    awaitRolledOut("sei-p2p-webhook");
    awaitRolledOut("sei-p2p-controller");
    Await.until("the new controller leading", ROLLOUT_TIMEOUT, () -> plane.client().leases()
        .inNamespace(Rbac.NAMESPACE).withName(ControllerConfig.LEASE_NAME).get() != null && leaseHolder() != null);
    // every node reconciled by the new controller: its periodic look at each comes within the same time
    Thread.sleep(ADOPTION.toMillis());
    assertThat(usersObjects()).as("the users' objects, by UID, after the reinstall").isEqualTo(before);
    assertThat(AuditLog.writes(plane.auditLog(), AuditLog.serviceAccount(Rbac.NAMESPACE, Rbac.CONTROLLER),
        reinstalled).stream().filter(write -> !write.resource().endsWith("/status")
            && !write.resource().equals("events") && !write.resource().equals("leases"))
        .map(write -> write.verb() + " " + write.resource() + " " + write.namespace() + "/" + write.name()).toList())
        .as("the new controller's writes beyond status (and its Events and Lease)").isEmpty();

    uninstallCompletely(installation);
  }

  /** The users' SeiNodes, deployments and nodes' objects (StatefulSets, pods, Services), each with its UID. */
  private static Map<String, String> usersObjects() {
    KubernetesClient client = plane.client();
    List<HasMetadata> objects = new ArrayList<>();
    objects.addAll(client.resources(SeiNode.class).inAnyNamespace().list().getItems());
    objects.addAll(client.resources(SeiNodeDeployment.class).inAnyNamespace().list().getItems());
    objects.addAll(client.apps().statefulSets().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    objects.addAll(client.pods().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    objects.addAll(client.services().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    Map<String, String> uids = new TreeMap<>();
    objects.forEach(o -> uids.put(o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(),
        o.getMetadata().getUid()));
    return uids;
  }

  /**
   * The CRDs with every node (while the controller still runs, to release any Retain deployment), then the overlay:
   * what is left is only the node keys and data claims.
   */
  private static void uninstallCompletely(Path installation) throws Exception {
    // the NLB Services carry the load balancer controller's finalizer, which only it releases
    try (LoadBalancerSimulator simulator = LoadBalancerSimulator.start(plane.client(), hostsFile,
        Duration.ofSeconds(1), Duration.ofSeconds(1))) {
      Kubectl.Result crdsDeleted = plane.kubectl().run("delete", "--wait=false", "-k",
          Installation.crds().toString());
      assertThat(crdsDeleted.succeeded()).as(crdsDeleted.toString()).isTrue();
      Kubectl.Result deleted = plane.kubectl().run("delete", "--wait=false", "-k", installation.toString());
      assertThat(deleted.succeeded()).as(deleted.toString()).isTrue();

      Await.until("the installation and every object of the system gone", CONVERGENCE_TIMEOUT,
          () -> leftovers().isEmpty(), () -> leftovers().toString());
    }
    // README, "Where keys live": a node's key Secret outlives it, so that a node created again keeps its ID
    assertThat(plane.client().secrets().inAnyNamespace().withLabel("sei.io/node").list().getItems())
        .isNotEmpty()
        .allSatisfy(secret -> assertThat(secret.getMetadata().getName()).endsWith("-node-key"));
    // README, "What runs in the pod": and its data claim, so that it keeps its synced chain data
    assertThat(plane.client().persistentVolumeClaims().inAnyNamespace().withLabel("sei.io/node").list().getItems())
        .isNotEmpty()
        .allSatisfy(claim -> assertThat(claim.getMetadata().getName()).endsWith("-data"));
  }

  @Test
  @Order(10)
  void theCertManagerOverlayIsServedThroughItsInjectedCaAndUninstallsToo() throws Exception {
    try (CertManager certManager = CertManager.start(plane,
        Files.createDirectories(plane.workDir().resolve("cert-manager")))) {
      Path installation = Installation.write(plane.workDir().resolve("installation-cert-manager"), "cert-manager",
          images, ROUTABLE_VPC_CIDRS);
      install(installation);
      // the webhook's pods wait for the Secret cert-manager issues
      awaitRolledOut("sei-p2p-webhook");
      awaitRolledOut("sei-p2p-controller");
      String namespace = plane.newNamespace("cert-manager");
      Await.until("a legacy node defaulted by the webhook, through its Service, with the injected CA", ROLLOUT_TIMEOUT,
          () -> defaultedToHttp(namespace), () -> certManager.tail(20));

      String ca = new String(Base64.getDecoder().decode(plane.client().secrets().inNamespace(Rbac.NAMESPACE)
          .withName("sei-p2p-webhook-tls").get().getData().get("ca.crt")), StandardCharsets.UTF_8);
      assertThat(caBundles()).isNotEmpty().allMatch(ca::equals);

      uninstallCompletely(installation);
    }
  }

  /** A server-side dry run of a legacy node: true when the mutating webhook defaulted it to http. */
  private static boolean defaultedToHttp(String namespace) {
    Kubectl.Result result = plane.kubectl().run("apply", "-n", namespace, "--dry-run=server",
        "-o", "jsonpath={.spec.networking}", "-f", REPO.resolve("manifests/examples/legacy-node.yaml").toString());
    return result.succeeded() && result.stdout().contains("\"http\"");
  }

  private static List<String> caBundles() {
    KubernetesClient client = plane.client();
    return Stream.concat(
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("sei-p2p").get().getWebhooks()
            .stream().map(w -> w.getClientConfig().getCaBundle()),
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName("sei-p2p").get().getWebhooks()
            .stream().map(w -> w.getClientConfig().getCaBundle()))
        .map(bundle -> new String(Base64.getDecoder().decode(bundle), StandardCharsets.UTF_8)).toList();
  }

  /** Whatever of the system is still there, besides the node keys the README says it keeps. */
  private static List<String> leftovers() {
    KubernetesClient client = plane.client();
    List<String> left = new ArrayList<>();
    if (client.namespaces().withName(Rbac.NAMESPACE).get() != null) {
      left.add("namespace " + Rbac.NAMESPACE);
    }
    client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .filter(crd -> crd.getSpec().getGroup().equals("sei.io"))
        .forEach(crd -> left.add("CRD " + crd.getMetadata().getName() + " finalizers "
            + crd.getMetadata().getFinalizers() + " conditions " + crd.getStatus().getConditions().stream()
                .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getMessage()).toList()));
    try {
      client.resources(SeiNodeDeployment.class).inAnyNamespace().list().getItems()
          .forEach(d -> left.add("SeiNodeDeployment " + d.getMetadata().getNamespace() + "/"
              + d.getMetadata().getName() + " finalizers " + d.getMetadata().getFinalizers() + " deleted at "
              + d.getMetadata().getDeletionTimestamp()));
    } catch (KubernetesClientException e) {
      // 404 once the CRD is gone, and every SeiNodeDeployment with it
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
    client.admissionRegistration().v1().validatingWebhookConfigurations().list().getItems().stream()
        .map(c -> c.getMetadata().getName()).filter(n -> n.startsWith("sei-p2p"))
        .forEach(n -> left.add("ValidatingWebhookConfiguration " + n));
    client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems().stream()
        .map(c -> c.getMetadata().getName()).filter(n -> n.startsWith("sei-p2p"))
        .forEach(n -> left.add("MutatingWebhookConfiguration " + n));
    client.rbac().clusterRoles().list().getItems().stream()
        .map(r -> r.getMetadata().getName()).filter(n -> n.startsWith("sei-p2p"))
        .forEach(n -> left.add("ClusterRole " + n));
    client.rbac().clusterRoleBindings().list().getItems().stream()
        .map(r -> r.getMetadata().getName()).filter(n -> n.startsWith("sei-p2p"))
        .forEach(n -> left.add("ClusterRoleBinding " + n));
    List<HasMetadata> nodeObjects = new ArrayList<>();
    nodeObjects.addAll(client.apps().statefulSets().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    nodeObjects.addAll(client.services().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    nodeObjects.addAll(client.configMaps().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    nodeObjects.addAll(client.pods().inAnyNamespace().withLabel("sei.io/node").list().getItems());
    nodeObjects.forEach(o -> left.add(o.getKind() + " " + o.getMetadata().getNamespace() + "/"
        + o.getMetadata().getName()));
    return left;
  }

  private static String leaseHolder() {
    return plane.client().leases().inNamespace(Rbac.NAMESPACE).withName(ControllerConfig.LEASE_NAME).get()
        .getSpec().getHolderIdentity();
  }

  private static List<String> controllerPods() {
    return plane.client().pods().inNamespace(Rbac.NAMESPACE)
        .withLabel("app.kubernetes.io/name", "sei-p2p-controller").list().getItems().stream()
        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
        .map(pod -> pod.getMetadata().getName()).toList();
  }

  @Test
  @Order(1)
  void theRealNodeIsReadyAtItsInternalIp() {
    Node real = plane.client().nodes().withName(node.name()).get();

    assertThat(real.getStatus().getAddresses())
        .anySatisfy(a -> assertThat(List.of(a.getType(), a.getAddress())).containsExactly("InternalIP", node.ip()));
    assertThat(real.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.34.4");
    assertThat(real.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
  }

  @Test
  @Order(2)
  void clusterDnsAnswersTheClusterZoneAndTheSimulatorsNamesAndNothingElse() throws Exception {
    assertThat(LocalNode.resolve("kubernetes.default.svc.cluster.local")).isEqualTo(ControlPlane.API_SERVICE_IP);
    assertThat(LocalNode.resolve("nlb-one.elb.us-east-1.amazonaws.com")).startsWith("198.51.100.");
    // no forward plugin: a name outside both is not looked up anywhere else
    assertThatThrownBy(() -> LocalNode.resolve("example.com")).isInstanceOf(NamingException.class);
  }
}
