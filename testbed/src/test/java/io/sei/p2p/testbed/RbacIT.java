package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.javaoperatorsdk.operator.LeaderElectionManager;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.controller.ControllerConfig;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.WellKnown;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of manifests/base/rbac.yaml is needed: a compact scenario that uses every permission converges with
 * the rules as written, and fails when any one rule is removed.
 */
class RbacIT {

  private static final String GENESIS = LocalSystem.GENESIS.get("SEI_GENESIS");
  private static final Map<String, String> ROUTABLE = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  private static final Duration CONVERGES_WITHIN = Duration.ofSeconds(25);
  private static final String NO_LEASE_PERMISSION = LeaderElectionManager.NO_PERMISSION_TO_LEASE_RESOURCE_MESSAGE;
  /** Verbs needed on a path no scenario can provoke, and that path. */
  private static final Map<String, String> NEEDED_OFF_SCENARIO = Map.of("get seinodedeployments",
      "the operator re-reads a deployment when the patch of its Retain finalizer meets a conflict");
  /** A validator's own node key (seed 7s, public key 0..31) and its node ID, computed independently. */
  private static final String NODE_KEY = "{\"priv_key\":{\"type\":\"tendermint/PrivKeyEd25519\",\"value\":"
      + "\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==\"}}";
  private static final String NODE_ID = "630dcd2966c4336691125448bbb25b4ff412a49c";
  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofMillis(300), Duration.ofMillis(300));

  @Test
  void theScenarioConvergesWithTheRulesAsWritten() {
    String ns = cluster.plane().newNamespace("rbac-full");
    Instant from = Instant.now();
    assertThat(run(ns, "rbac-full-ctl", controllerRole().getRules(), leaseRole().getRules(), () -> false))
        .isEqualTo(Outcome.CONVERGED);
    assertThat(forbidden("rbac-full-ctl", from)).as("403s answered to the controller with its rules as written")
        .isEmpty();
  }

  /** Every verb of the webhook's ClusterRole, as {@code (rule index, verb, resources)}. */
  static Stream<Arguments> everyWebhookVerb() {
    List<Arguments> verbs = new ArrayList<>();
    List<PolicyRule> rules = clusterRole(Rbac.WEBHOOK).getRules();
    for (int i = 0; i < rules.size(); i++) {
      for (String verb : rules.get(i).getVerbs()) {
        verbs.add(Arguments.of(i, verb, rules.get(i).getResources().toString()));
      }
    }
    return verbs.stream();
  }

  /**
   * The webhook's scenario uses all of its rules without a single 403: its SeiNode cache (list, watch), a
   * StatefulSet whose owner the cache does not hold (a live get), and a SeiNode that names a Secret (a
   * SubjectAccessReview).
   */
  @Test
  void theWebhooksScenarioMeetsNo403WithItsRulesAsWritten() {
    String ns = cluster.plane().newNamespace("rbac-webhook-full");
    String account = ns + "-webhook";
    Instant from = Instant.now();
    assertThat(runWebhook(ns, account, clusterRole(Rbac.WEBHOOK).getRules(), () -> AuditLog.requests(cluster.plane().auditLog(),
        "system:serviceaccount:" + Rbac.NAMESPACE + ":" + account, from, request -> true).stream()
        .map(request -> request.verb() + " " + request.resource()).collect(Collectors.toSet())
        .containsAll(List.of("list seinodes", "watch seinodes", "get seinodes", "create subjectaccessreviews"))))
        .as("the webhook listed, watched and got SeiNodes, and asked a SubjectAccessReview").isTrue();
    assertThat(forbidden(account, from)).as("403s answered to the webhook with its rules as written").isEmpty();
  }

  /** Without any one of the webhook's verbs, its scenario meets exactly that 403 in the audit log. */
  @ParameterizedTest(name = "webhook without {1} on {2}")
  @MethodSource("everyWebhookVerb")
  void everyWebhookVerbIsNeeded(int rule, String verb, String resources) {
    String ns = cluster.plane().newNamespace("rbac-webhook-" + rule + "-" + verb);
    String account = ns + "-webhook";
    List<String> denied = clusterRole(Rbac.WEBHOOK).getRules().get(rule).getResources();
    Instant from = Instant.now();

    assertThat(runWebhook(ns, account, without(clusterRole(Rbac.WEBHOOK).getRules(), rule, verb),
        () -> deniedIn(account, from, denied, verb)))
        .as("the webhook's scenario met a 403 for " + verb + " on " + resources).isTrue();
  }

  /**
   * Every verb of every rule, the leader-election Role's included, as {@code (role, rule index, verb, resources)};
   * but those of {@link #NEEDED_OFF_SCENARIO}.
   */
  static Stream<Arguments> everyVerb() {
    List<Arguments> verbs = new ArrayList<>();
    for (String role : List.of("controller", "lease")) {
      List<PolicyRule> rules = role.equals("controller") ? controllerRole().getRules() : leaseRole().getRules();
      for (int i = 0; i < rules.size(); i++) {
        for (String verb : rules.get(i).getVerbs()) {
          if (!NEEDED_OFF_SCENARIO.containsKey(verb + " " + String.join(",", rules.get(i).getResources()))) {
            verbs.add(Arguments.of(role, i, verb, rules.get(i).getResources().toString()));
          }
        }
      }
    }
    return verbs.stream();
  }

  @Test
  void theVerbsNoScenarioProvokesAreGranted() {
    List<String> granted = controllerRole().getRules().stream().flatMap(rule -> rule.getVerbs().stream()
        .map(verb -> verb + " " + String.join(",", rule.getResources()))).toList();
    assertThat(granted).as("each exception names a verb the role grants").containsAll(NEEDED_OFF_SCENARIO.keySet());
  }

  /**
   * Without any one verb the scenario is denied exactly that: the apiserver answers it 403 (its audit log says so),
   * or, for the Lease, the operator refuses to start for want of it.
   */
  @ParameterizedTest(name = "{0} without {2} on {3}")
  @MethodSource("everyVerb")
  void everyVerbIsNeeded(String role, int rule, String verb, String resources) {
    String ns = cluster.plane().newNamespace("rbac-" + role + "-" + rule + "-" + verb);
    String account = ns + "-ctl";
    List<PolicyRule> controllerRules = role.equals("controller") ? without(controllerRole().getRules(), rule, verb)
        : controllerRole().getRules();
    List<PolicyRule> leaseRules = role.equals("lease") ? without(leaseRole().getRules(), rule, verb)
        : leaseRole().getRules();
    List<String> denied = (role.equals("controller") ? controllerRole().getRules() : leaseRole().getRules()).get(rule)
        .getResources();
    Instant from = Instant.now();

    Outcome outcome = run(ns, account, controllerRules, leaseRules, () -> deniedIn(account, from, denied, verb));

    assertThat(outcome).as("the scenario stopped at a 403 for " + verb + " on " + resources).isEqualTo(Outcome.DENIED);
  }

  /**
   * The webhook's rules: a webhook that cannot read SeiNodes is not ready (its cache cannot sync) and, asked anyway,
   * cannot check a StatefulSet's owner, so it fails closed and the controller reports the denial on the node. Granted
   * its rules, it syncs and becomes ready.
   */
  @Test
  void aWebhookThatCannotReadSeiNodesIsUnreadyAndFailsClosed() {
    String ns = cluster.plane().newNamespace("rbac-webhook");
    String webhookAccount = ns + "-webhook";
    try (LocalWebhook webhook = LocalWebhook.startFor(cluster.plane(), ns, ROUTABLE, webhookAccount)) {
      assertThat(readyz(webhook)).as("/readyz while the SeiNode cache cannot sync")
          .isEqualTo("503 SeiNode cache not synced yet");
      String account = ns + "-ctl";
      grant(ns, account, controllerRole().getRules(), leaseRole().getRules());
      try (Controller controller = Controller.start(ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
          "SEI_GENESIS", GENESIS, "SEI_WATCH_NAMESPACES", ns, "POD_NAMESPACE", ns, "HEALTH_PORT", "0")),
          cluster.plane().clientAsServiceAccount(Rbac.NAMESPACE, account), () -> { })) {
        apply(ns, Manifests.fullNode("gated", "networking: {tcp: {}}"));
        Await.until("the StatefulSet refused by the gate, failing closed", CONVERGES_WITHIN,
            () -> "StatefulSetApplyFailed".equals(cluster.reason(ns, "gated", "Synced")));
        assertThat(cluster.condition(ns, "gated", "Synced").getMessage())
            .contains("StatefulSet " + ns + "/gated is held: its owner SeiNode gated could not be checked")
            .contains("forbidden");
        assertThat(cluster.client().apps().statefulSets().inNamespace(ns).withName("gated").get()).isNull();
      }
      cluster.client().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(webhookAccount).endMetadata()
          .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", Rbac.WEBHOOK)
          .addNewSubject().withKind("ServiceAccount").withName(webhookAccount).withNamespace(Rbac.NAMESPACE)
          .endSubject().build()).serverSideApply();
      Await.until("/readyz once its cache syncs", CONVERGES_WITHIN, () -> readyz(webhook).startsWith("200"));
    }
  }

  /**
   * The namespaced install: the Roles of manifests/namespaced-roles in each watched namespace and no ClusterRole;
   * the controller and the webhook converge there and may do nothing elsewhere.
   */
  @Test
  void theNamespacedInstallWorksWithRolesAndReachesNoOtherNamespace() {
    String teamA = cluster.plane().newNamespace("team-a");
    String teamB = cluster.plane().newNamespace("team-b");
    String elsewhere = cluster.plane().newNamespace("elsewhere");
    String controller = "namespaced-ctl";
    String webhook = "namespaced-webhook";
    for (String account : List.of(controller, webhook)) {
      cluster.client().resource(new ServiceAccountBuilder().withNewMetadata().withName(account).withNamespace(Rbac.NAMESPACE)
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
    cluster.client().resource(reviews).serverSideApply();
    cluster.client().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(webhook).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", webhook)
        .addNewSubject().withKind("ServiceAccount").withName(webhook).withNamespace(Rbac.NAMESPACE).endSubject()
        .build()).serverSideApply();

    Map<String, String> watch = Map.of("SEI_WATCH_NAMESPACES", teamA + "," + teamB);
    Map<String, String> webhookEnv = new HashMap<>(ROUTABLE);
    webhookEnv.putAll(watch);
    try (LocalWebhook gate = LocalWebhook.startFor(cluster.plane(), teamA, webhookEnv, webhook);
        Controller running = Controller.start(ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
            "SEI_GENESIS", GENESIS, "SEI_WATCH_NAMESPACES", teamA + "," + teamB, "POD_NAMESPACE", teamA,
            "HEALTH_PORT", "0")),
            cluster.plane().clientAsServiceAccount(Rbac.NAMESPACE, controller), () -> { })) {
      for (String ns : List.of(teamA, teamB)) {
        apply(ns, Manifests.deployment("fleet", "", 2, "", "networking: {tcp: {}}"));
      }
      for (String ns : List.of(teamA, teamB)) {
        Await.until("fleet in " + ns + " published and started", CONVERGES_WITHIN, () -> published(ns, "fleet-0")
            && published(ns, "fleet-1") && cluster.client().apps().statefulSets().inNamespace(ns).withName("fleet-1").get() != null);
      }
    }
    String asController = "system:serviceaccount:" + Rbac.NAMESPACE + ":" + controller;
    for (String[] verbAndResource : List.of(new String[] {"get", "secrets"}, new String[] {"create", "statefulsets"},
        new String[] {"list", "seinodes.sei.io"}, new String[] {"patch", "services"})) {
      assertThat(cluster.plane().kubectl().can(teamA, asController, verbAndResource[0], verbAndResource[1])).isTrue();
      assertThat(cluster.plane().kubectl().can(elsewhere, asController, verbAndResource[0], verbAndResource[1]))
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
      cluster.client().resource(object).serverSideApply();
    }
  }

  private static List<HasMetadata> renderedNamespacedInstall() {
    Kubectl.Result rendered = cluster.plane().kubectl().run("kustomize",
        RepoRoot.find().resolve("manifests/overlays/namespaced-example").toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();
    return cluster.client().load(new ByteArrayInputStream(rendered.stdout().getBytes(StandardCharsets.UTF_8))).items();
  }

  private static List<HasMetadata> namespacedRoles() {
    try (InputStream in = Files.newInputStream(RepoRoot.find().resolve("manifests/namespaced-roles/roles.yaml"))) {
      return cluster.client().load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void grantLease(String ns, String serviceAccount) {
    grantLease(ns, serviceAccount, leaseRole().getRules());
  }

  /** The manifest's leader-election Role, with {@code rules}, in {@code ns}, bound to {@code serviceAccount}. */
  private static void grantLease(String ns, String serviceAccount, List<PolicyRule> rules) {
    Role lease = leaseRole();
    lease.getMetadata().setNamespace(ns);
    lease.setRules(rules);
    cluster.client().resource(lease).serverSideApply();
    cluster.client().resource(new RoleBindingBuilder().withNewMetadata().withName(lease.getMetadata().getName())
        .withNamespace(ns).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", lease.getMetadata().getName())
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(Rbac.NAMESPACE)
        .endSubject().build()).serverSideApply();
  }

  private static String readyz(LocalWebhook webhook) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + webhook.healthPort() + "/readyz")).build(), BodyHandlers.ofString());
      return response.statusCode() + " " + response.body().strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The webhook's scenario, run as {@code account} granted {@code rules}: a SeiNode naming a Secret, and a
   * StatefulSet of a SeiNode that does not exist (both dry runs). Whether {@code seen} held within
   * {@link #CONVERGES_WITHIN}, while the webhook ran.
   */
  private static boolean runWebhook(String ns, String account, List<PolicyRule> rules, BooleanSupplier seen) {
    cluster.client().resource(new ServiceAccountBuilder().withNewMetadata().withName(account).withNamespace(Rbac.NAMESPACE)
        .endMetadata().build()).serverSideApply();
    grantClusterRole(account, clusterRole(Rbac.WEBHOOK), rules);
    cluster.client().resource(keySecret(ns, "val-key", NODE_KEY)).create();
    cluster.client().resource(keySecret(ns, "val-sign", "{}")).create();
    try (LocalWebhook webhook = LocalWebhook.startFor(cluster.plane(), ns, ROUTABLE, account)) {
      cluster.plane().kubectl().runWithInput(Manifests.seiNode("val", "validator: {nodeKey: {secret: {secretName: val-key}}, "
          + "signingKey: {secret: {secretName: val-sign}}}"), "-n", ns, "apply", "--dry-run=server", "-f", "-");
      cluster.plane().kubectl().runWithInput("""
          apiVersion: apps/v1
          kind: StatefulSet
          metadata: {name: ghost, labels: {%s: ghost}}
          spec:
            selector: {matchLabels: {app: ghost}}
            serviceName: ghost
            template:
              metadata: {labels: {app: ghost}}
              spec: {containers: [{name: seid, image: ghost}]}
          """.formatted(WellKnown.LABEL_NODE), "-n", ns, "apply", "--dry-run=server", "-f", "-");
      return Await.eventually(CONVERGES_WITHIN, seen);
    }
  }

  /** The requests the apiserver answered {@code account} with 403 since {@code from}, as "verb resource". */
  private static List<String> forbidden(String account, Instant from) {
    return AuditLog.requests(cluster.plane().auditLog(), "system:serviceaccount:" + Rbac.NAMESPACE + ":" + account, from,
        request -> request.code() == 403).stream().map(r -> r.verb() + " " + r.resource()).toList();
  }

  /** How a run of the scenario ended. */
  enum Outcome { CONVERGED, DENIED, STUCK }

  /**
   * The scenario: a validator with its own key Secret gets its node ID; a tcp fleet of two (deletionPolicy Retain)
   * publishes and starts; it scales to one, opts out of tcp, and is deleted, its child released. Each step may take
   * {@link #CONVERGES_WITHIN}; the run stops early as DENIED once {@code denied} holds.
   */
  private static Outcome run(String ns, String account, List<PolicyRule> rules, List<PolicyRule> leaseRules,
      BooleanSupplier denied) {
    grant(ns, account, rules, leaseRules);
    Controller controller;
    try {
      controller = Controller.start(ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16",
          "SEI_GENESIS", GENESIS, "SEI_WATCH_NAMESPACES", ns, "POD_NAMESPACE", ns, "HEALTH_PORT", "0")),
          cluster.plane().clientAsServiceAccount(Rbac.NAMESPACE, account), () -> { });
    } catch (RuntimeException cannotStart) {
      // the operator checks its Lease permissions before it starts; the informers list and watch at once
      return denied.getAsBoolean() || Stream.iterate((Throwable) cannotStart, Objects::nonNull, Throwable::getCause)
          .anyMatch(cause -> String.valueOf(cause.getMessage()).contains(NO_LEASE_PERMISSION))
          ? Outcome.DENIED : Outcome.STUCK;
    }
    try (controller) {
      List<Step> steps = List.of(
          new Step(() -> {
            cluster.client().resource(keySecret(ns, "val-key", NODE_KEY)).create();
            cluster.client().resource(keySecret(ns, "val-sign", "{}")).create();
            apply(ns, Manifests.seiNode("val", "validator: {nodeKey: {secret: {secretName: val-key}}, "
                + "signingKey: {secret: {secretName: val-sign}}}"));
          }, () -> NODE_ID.equals(cluster.node(ns, "val").getStatus().nodeId())),
          new Step(() -> apply(ns, Manifests.deployment("fleet", "", 2, "deletionPolicy: Retain",
              "networking: {tcp: {}}")), () -> published(ns, "fleet-0") && published(ns, "fleet-1")
              && cluster.client().apps().statefulSets().inNamespace(ns).withName("fleet-1").get() != null
              && Integer.valueOf(2).equals(cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns)
                  .withName("fleet").get().getStatus().publishedReplicas())
              && cluster.events(ns, "fleet-0").contains("Published")),
          new Step(() -> apply(ns, Manifests.deployment("fleet", "", 1, "deletionPolicy: Retain",
              "networking: {tcp: {}}")), () -> cluster.node(ns, "fleet-1") == null),
          new Step(() -> apply(ns, Manifests.deployment("fleet", "", 1, "deletionPolicy: Retain", "")),
              () -> cluster.client().services().inNamespace(ns).withName("fleet-0-p2p").get() == null),
          new Step(() -> cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName("fleet").delete(),
              () -> cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName("fleet").get() == null
                  && cluster.node(ns, "fleet-0").getMetadata().getOwnerReferences().isEmpty()));
      for (Step step : steps) {
        step.action().run();
        if (!Await.eventually(CONVERGES_WITHIN, () -> denied.getAsBoolean() || step.done().getAsBoolean())) {
          return denied.getAsBoolean() ? Outcome.DENIED : Outcome.STUCK;
        }
        if (denied.getAsBoolean()) {
          return Outcome.DENIED;
        }
      }
      return Outcome.CONVERGED;
    }
  }

  private record Step(Runnable action, BooleanSupplier done) {
  }

  /** Whether the apiserver answered {@code account} 403 for {@code verb} on one of {@code resources} since then. */
  private static boolean deniedIn(String account, Instant from, List<String> resources, String verb) {
    return AuditLog.requests(cluster.plane().auditLog(), "system:serviceaccount:" + Rbac.NAMESPACE + ":" + account, from,
        request -> request.code() == 403 && resources.contains(request.resource())
            // a server-side apply that creates needs create as well as patch
            && (request.verb().equals(verb) || request.message().contains("cannot " + verb + " resource")))
        .size() > 0;
  }

  private static List<PolicyRule> without(List<PolicyRule> rules, int index, String verb) {
    List<PolicyRule> fewer = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      PolicyRule rule = new PolicyRuleBuilder(rules.get(i)).build();
      if (i == index) {
        rule.setVerbs(rule.getVerbs().stream().filter(v -> !v.equals(verb)).toList());
      }
      if (!rule.getVerbs().isEmpty()) {
        fewer.add(rule);
      }
    }
    return fewer;
  }

  private static Secret keySecret(String ns, String name, String nodeKey) {
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToStringData("node_key.json", nodeKey).build();
  }

  private static void grant(String ns, String serviceAccount, List<PolicyRule> rules, List<PolicyRule> leaseRules) {
    cluster.client().resource(new ServiceAccountBuilder().withNewMetadata().withName(serviceAccount)
        .withNamespace(Rbac.NAMESPACE).endMetadata().build()).serverSideApply();
    grantClusterRole(serviceAccount, controllerRole(), rules);
    grantLease(ns, serviceAccount, leaseRules);
  }

  /** A ClusterRole named after {@code serviceAccount}, {@code role} with {@code rules}, bound to that account. */
  private static void grantClusterRole(String serviceAccount, ClusterRole role, List<PolicyRule> rules) {
    role.getMetadata().setName(serviceAccount);
    role.setRules(rules);
    cluster.client().resource(role).serverSideApply();
    cluster.client().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(serviceAccount).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", serviceAccount)
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(Rbac.NAMESPACE).endSubject()
        .build()).serverSideApply();
  }

  private static Role leaseRole() {
    return (Role) Rbac.manifest(cluster.plane().client()).stream().filter(Role.class::isInstance).findFirst().orElseThrow();
  }

  private static ClusterRole controllerRole() {
    return clusterRole(Rbac.CONTROLLER);
  }

  private static ClusterRole clusterRole(String name) {
    for (HasMetadata object : Rbac.manifest(cluster.plane().client())) {
      if (object instanceof ClusterRole role && role.getMetadata().getName().equals(name)) {
        return role;
      }
    }
    throw new IllegalStateException("no ClusterRole " + name + " in manifests/base/rbac.yaml");
  }

  private static boolean published(String ns, String node) {
    SeiNode found = cluster.client().resources(SeiNode.class).inNamespace(ns).withName(node).get();
    return found != null && found.getStatus() != null && found.getStatus().externalAddress() != null;
  }

  private static void apply(String ns, String manifest) {
    Kubectl.Result result = cluster.plane().kubectl().runWithInput(manifest, "-n", ns, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

}
