package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of manifests/base/rbac.yaml is needed: a compact scenario that uses every permission converges with
 * the rules as written, and fails when any one rule is removed.
 */
@ExtendWith(ControlPlaneExtension.class)
class RbacIT {

  private static final Map<String, String> ROUTABLE = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  private static final Duration CONVERGES_WITHIN = Duration.ofSeconds(25);
  private static ControlPlane plane;
  private static KubernetesClient client;
  private static TestCluster cluster;

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    plane = controlPlane;
    client = plane.client();
    cluster = TestCluster.start(plane, Duration.ofMillis(300), Duration.ofMillis(300));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void theScenarioConvergesWithTheRulesAsWritten() {
    assertThat(scenario("rbac-full", controllerRole().getRules(), true)).as("converged").isTrue();
  }

  static Stream<Arguments> controllerRules() {
    List<PolicyRule> rules = controllerRole().getRules();
    return IntStream.range(0, rules.size()).mapToObj(i -> Arguments.of(i, rules.get(i).getResources().toString()));
  }

  @ParameterizedTest(name = "without the controller's rule for {1}")
  @MethodSource("controllerRules")
  void everyControllerRuleIsNeeded(int removed, String resources) {
    List<PolicyRule> rules = new ArrayList<>(controllerRole().getRules());
    rules.remove(removed);
    assertThat(scenario("rbac-minus-" + removed, rules, true)).as("converged without " + resources).isFalse();
  }

  @Test
  void theLeaderElectionRuleIsNeeded() {
    assertThat(scenario("rbac-no-lease", controllerRole().getRules(), false)).as("converged").isFalse();
  }

  /**
   * The webhook's one rule (read SeiNodes): without it the gate cannot check owners and fails closed, so no
   * published node's StatefulSet is admitted.
   */
  @Test
  void theWebhookRuleIsNeeded() {
    String ns = plane.newNamespace("rbac-webhook");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE, "webhook-without-rules")) {
      assertThat(run(ns, "rbac-webhook-ctl", controllerRole().getRules(), true)).isFalse();
    }
  }

  /**
   * The namespaced install: the Roles of manifests/namespaced-roles in each watched namespace and no ClusterRole;
   * the controller and the webhook converge there and may do nothing elsewhere.
   */
  @Test
  void theNamespacedInstallWorksWithRolesAndReachesNoOtherNamespace() {
    String teamA = plane.newNamespace("team-a");
    String teamB = plane.newNamespace("team-b");
    String elsewhere = plane.newNamespace("elsewhere");
    String controller = "namespaced-ctl";
    String webhook = "namespaced-webhook";
    for (String account : List.of(controller, webhook)) {
      client.resource(new ServiceAccountBuilder().withNewMetadata().withName(account).withNamespace(Rbac.NAMESPACE)
          .endMetadata().build()).serverSideApply();
    }
    for (String ns : List.of(teamA, teamB)) {
      grantNamespaced(ns, Map.of(Rbac.CONTROLLER, controller, Rbac.WEBHOOK, webhook));
    }
    grantLease(teamA, controller);
    // what stays cluster-wide in the namespaced install: the webhook's SubjectAccessReviews
    ClusterRole reviews = renderedNamespacedInstall().stream().filter(ClusterRole.class::isInstance)
        .map(ClusterRole.class::cast).filter(role -> role.getMetadata().getName().equals(Rbac.WEBHOOK)).findFirst()
        .orElseThrow();
    reviews.getMetadata().setName(webhook);
    client.resource(reviews).serverSideApply();
    client.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(webhook).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", webhook)
        .addNewSubject().withKind("ServiceAccount").withName(webhook).withNamespace(Rbac.NAMESPACE).endSubject()
        .build()).serverSideApply();

    Map<String, String> watch = Map.of("SEI_WATCH_NAMESPACES", teamA + "," + teamB);
    Map<String, String> webhookEnv = new HashMap<>(ROUTABLE);
    webhookEnv.putAll(watch);
    try (LocalWebhook gate = LocalWebhook.startFor(plane, teamA, webhookEnv, webhook);
        Controller running = Controller.start(ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
            "SEI_WATCH_NAMESPACES", teamA + "," + teamB, "POD_NAMESPACE", teamA, "HEALTH_PORT", "0")),
            plane.clientAsServiceAccount(Rbac.NAMESPACE, controller), () -> { })) {
      for (String ns : List.of(teamA, teamB)) {
        apply(ns, Manifests.deployment("fleet", "", 2, "", "networking: {tcp: {}}"));
      }
      for (String ns : List.of(teamA, teamB)) {
        Await.until("fleet in " + ns + " published and started", CONVERGES_WITHIN, () -> published(ns, "fleet-0")
            && published(ns, "fleet-1") && client.apps().statefulSets().inNamespace(ns).withName("fleet-1").get() != null);
      }
    }
    String asController = "system:serviceaccount:" + Rbac.NAMESPACE + ":" + controller;
    for (String[] verbAndResource : List.of(new String[] {"get", "secrets"}, new String[] {"create", "statefulsets"},
        new String[] {"list", "seinodes.sei.io"}, new String[] {"patch", "services"})) {
      assertThat(plane.kubectl().can(teamA, asController, verbAndResource[0], verbAndResource[1])).isTrue();
      assertThat(plane.kubectl().can(elsewhere, asController, verbAndResource[0], verbAndResource[1]))
          .as(String.join(" ", verbAndResource) + " outside the watched namespaces").isFalse();
    }
  }

  /** The namespaced Roles grant exactly what the cluster-wide roles grant, so every negative above holds for both. */
  @Test
  void theNamespacedRolesGrantWhatTheClusterRolesGrant() {
    assertThat(renderedNamespacedInstall()).as("no ClusterRole for namespaced resources in the namespaced install")
        .filteredOn(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
        .flatMap(ClusterRole::getRules).flatMap(PolicyRule::getResources)
        .containsOnly("subjectaccessreviews", "seinodes", "seinodedeployments", "seinodedeployments/scale",
            "seinodes/status", "seinodedeployments/status"); // the last five: the users' aggregated roles
    Map<String, Role> roles = namespacedRoles().stream().filter(Role.class::isInstance).map(Role.class::cast)
        .collect(Collectors.toMap(role -> role.getMetadata().getName(), role -> role));
    assertThat(roles.get(Rbac.CONTROLLER).getRules()).isEqualTo(controllerRole().getRules());
    assertThat(roles.get(Rbac.WEBHOOK).getRules()).isEqualTo(clusterRole(Rbac.WEBHOOK).getRules().stream()
        .filter(rule -> !rule.getApiGroups().contains("authorization.k8s.io")).toList());
  }

  /** manifests/namespaced-roles rendered into {@code ns}, bound to the given ServiceAccounts instead. */
  private static void grantNamespaced(String ns, Map<String, String> accounts) {
    for (HasMetadata object : namespacedRoles()) {
      object.getMetadata().setNamespace(ns);
      if (object instanceof RoleBinding binding) {
        binding.getSubjects().forEach(subject -> subject.setName(accounts.get(subject.getName())));
      }
      client.resource(object).serverSideApply();
    }
  }

  private static List<HasMetadata> renderedNamespacedInstall() {
    Kubectl.Result rendered = plane.kubectl().run("kustomize",
        RepoRoot.find().resolve("manifests/overlays/namespaced-example").toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();
    return client.load(new ByteArrayInputStream(rendered.stdout().getBytes(StandardCharsets.UTF_8))).items();
  }

  private static List<HasMetadata> namespacedRoles() {
    try (InputStream in = Files.newInputStream(RepoRoot.find().resolve("manifests/namespaced-roles/roles.yaml"))) {
      return client.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void grantLease(String ns, String serviceAccount) {
    Role lease = (Role) Rbac.manifest(client).stream().filter(Role.class::isInstance).findFirst().orElseThrow();
    lease.getMetadata().setNamespace(ns);
    client.resource(lease).serverSideApply();
    client.resource(new RoleBindingBuilder().withNewMetadata().withName(lease.getMetadata().getName())
        .withNamespace(ns).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", lease.getMetadata().getName())
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(Rbac.NAMESPACE)
        .endSubject().build()).serverSideApply();
  }

  /** Publishes a two-node tcp fleet, scales it to one, and opts it out; true when every step converged. */
  private static boolean scenario(String prefix, List<PolicyRule> rules, boolean leaderElection) {
    String ns = plane.newNamespace(prefix);
    return run(ns, prefix + "-ctl", rules, leaderElection);
  }

  private static boolean run(String ns, String serviceAccount, List<PolicyRule> rules, boolean leaderElection) {
    grant(ns, serviceAccount, rules, leaderElection);
    Controller controller;
    try {
      controller = Controller.start(ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
          "SEI_WATCH_NAMESPACES", ns, "POD_NAMESPACE", ns, "HEALTH_PORT", "0")),
          plane.clientAsServiceAccount(Rbac.NAMESPACE, serviceAccount), () -> { });
    } catch (RuntimeException cannotStart) {
      return false;
    }
    try (controller) {
      apply(ns, Manifests.deployment("fleet", "", 2, "", "networking: {tcp: {}}"));
      if (!Await.eventually(CONVERGES_WITHIN, () -> published(ns, "fleet-0") && published(ns, "fleet-1")
          && client.apps().statefulSets().inNamespace(ns).withName("fleet-1").get() != null
          && Integer.valueOf(2).equals(client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("fleet")
              .get().getStatus().publishedReplicas())
          && client.v1().events().inNamespace(ns).list().getItems().stream()
              .anyMatch(e -> "Published".equals(e.getReason())))) {
        return false;
      }
      apply(ns, Manifests.deployment("fleet", "", 1, "", "networking: {tcp: {}}"));
      if (!Await.eventually(CONVERGES_WITHIN, () -> client.resources(SeiNode.class).inNamespace(ns).withName("fleet-1").get() == null)) {
        return false;
      }
      apply(ns, Manifests.deployment("fleet", "", 1, "", ""));
      return Await.eventually(CONVERGES_WITHIN, () -> client.services().inNamespace(ns).withName("fleet-0-p2p").get() == null);
    }
  }

  private static void grant(String ns, String serviceAccount, List<PolicyRule> rules, boolean leaderElection) {
    client.resource(new ServiceAccountBuilder().withNewMetadata().withName(serviceAccount)
        .withNamespace(Rbac.NAMESPACE).endMetadata().build()).serverSideApply();
    ClusterRole role = controllerRole();
    role.getMetadata().setName(serviceAccount);
    role.setRules(rules);
    client.resource(role).serverSideApply();
    client.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(serviceAccount).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", serviceAccount)
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(Rbac.NAMESPACE).endSubject()
        .build()).serverSideApply();
    if (leaderElection) {
      grantLease(ns, serviceAccount);
    }
  }

  private static ClusterRole controllerRole() {
    return clusterRole(Rbac.CONTROLLER);
  }

  private static ClusterRole clusterRole(String name) {
    for (HasMetadata object : Rbac.manifest(plane.client())) {
      if (object instanceof ClusterRole role && role.getMetadata().getName().equals(name)) {
        return role;
      }
    }
    throw new IllegalStateException("no ClusterRole " + name + " in manifests/base/rbac.yaml");
  }

  private static boolean published(String ns, String node) {
    SeiNode found = client.resources(SeiNode.class).inNamespace(ns).withName(node).get();
    return found != null && found.getStatus() != null && found.getStatus().externalAddress() != null;
  }

  private static void apply(String ns, String manifest) {
    Kubectl.Result result = plane.kubectl().runWithInput(manifest, "-n", ns, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

}
