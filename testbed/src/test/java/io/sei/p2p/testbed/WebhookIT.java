package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.webhook.Endpoints;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook registered with the real apiserver, driven by real kubectl, as users meet it. */
@ExtendWith(ControlPlaneExtension.class)
class WebhookIT {

  private static final Map<String, String> ROUTABLE = Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7");
  private static final Map<String, String> UNCONFIGURED = Map.of();
  private static ControlPlane plane;

  @BeforeAll
  static void useControlPlane(ControlPlane controlPlane) {
    plane = controlPlane;
  }

  /**
   * The fixtures the webhook's unit tests replay must be what the apiserver sends today: every review recorded in
   * this class is compared with its fixture, all but identities, versions, times and namespace names.
   */
  @AfterAll
  static void theRecordedFixturesAreWhatTheApiserverSendsToday() {
    assertThat(ReviewRecorder.drift(RepoRoot.find().resolve("webhook/src/test/resources/reviews")))
        .as("reviews that differ from their fixtures: re-record them (webhook/src/test/resources/reviews/README.md)")
        .isEmpty();
  }

  @Test
  void legacyNetworkingIsStoredAsHttp() {
    String ns = plane.newNamespace("legacy");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE)) {
      assertApplied(apply(ns, Manifests.fullNode("legacy", "networking: {}")));
      ReviewRecorder.record(webhook, Endpoints.MUTATE_SEINODES, "mutate-seinode-legacy");
      assertApplied(apply(ns, Manifests.deployment("legacy-fleet", "", 2, "networking: {}", "networking: {}")));
      ReviewRecorder.record(webhook, Endpoints.MUTATE_SEINODEDEPLOYMENTS, "mutate-seinodedeployment-legacy");
      assertApplied(apply(ns, Manifests.fullNode("explicit", "networking: {tcp: {}}")));
      ReviewRecorder.record(webhook, Endpoints.MUTATE_SEINODES, "mutate-seinode-tcp");

      KubernetesClient client = plane.client();
      assertThat(client.resources(SeiNode.class).inNamespace(ns).withName("legacy").get().getSpec().networking())
          .isEqualTo(io.sei.p2p.model.NetworkingConfig.HTTP);
      SeiNodeDeployment fleet = client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("legacy-fleet").get();
      assertThat(fleet.getSpec().networking()).isEqualTo(io.sei.p2p.model.NetworkingConfig.HTTP);
      assertThat(fleet.getSpec().template().spec().networking()).isEqualTo(io.sei.p2p.model.NetworkingConfig.HTTP);
      assertThat(client.resources(SeiNode.class).inNamespace(ns).withName("explicit").get().getSpec().networking())
          .isEqualTo(io.sei.p2p.model.NetworkingConfig.TCP);

      Kubectl.Result reapplied = apply(ns, Manifests.fullNode("legacy", "networking: {}"));
      assertThat(reapplied.stdout()).as("applying the same manifest again changes nothing").contains("unchanged");
    }
  }

  static Stream<Arguments> nonRoutableClusters() {
    return Stream.of(
        Arguments.of("unset", UNCONFIGURED, "SEI_VPC_CIDR is not configured"),
        Arguments.of("overlay", Map.of("SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "100.64.3.7"),
            "pod IP 100.64.3.7 is outside VPC CIDR 10.0.0.0/16 (overlay network)"));
  }

  @ParameterizedTest(name = "SEI_VPC_CIDR {0}")
  @MethodSource("nonRoutableClusters")
  void tcpIsRefusedAtOnceOnANonRoutableCluster(String label, Map<String, String> env, String reason) {
    String ns = plane.newNamespace("refuse-" + label);
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, env)) {
      Kubectl.Result node = apply(ns, Manifests.fullNode("public", "networking: {tcp: {}}"));
      assertThat(node.succeeded()).isFalse();
      assertThat(node.stderr()).contains("The SeiNode \"public\" is invalid")
          .contains("spec.networking.tcp: this cluster cannot publish nodes over tcp: " + reason);
      if (label.equals("unset")) {
        ReviewRecorder.record(webhook, Endpoints.VALIDATE_SEINODES, "validate-seinode-tcp-create");
      }

      Kubectl.Result fleet = apply(ns, Manifests.deployment("fleet", "", 2, "networking: {tcp: {}}", "networking: {tcp: {}}"));
      assertThat(fleet.succeeded()).isFalse();
      assertThat(fleet.stderr()).contains("The SeiNodeDeployment \"fleet\" is invalid")
          .contains("* spec.networking.tcp: this cluster cannot publish nodes over tcp: " + reason)
          .contains("* spec.template.spec.networking.tcp: this cluster cannot publish nodes over tcp: " + reason);
      if (label.equals("unset")) {
        ReviewRecorder.record(webhook, Endpoints.VALIDATE_SEINODEDEPLOYMENTS, "validate-seinodedeployment-tcp-create");
      }

      assertThat(plane.kubectl().run("-n", ns, "get", "snode,snd").stderr()).contains("No resources found");
    }
  }

  @Test
  void addingTcpIsRefusedButAnExistingTcpNodeStaysEditableWithAWarning() {
    String ns = plane.newNamespace("ratchet");
    assertApplied(apply(ns, Manifests.fullNode("already-public", "networking: {tcp: {}}")));
    assertApplied(apply(ns, Manifests.fullNode("private", "networking: {http: {}}")));
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, UNCONFIGURED)) {
      Kubectl.Result adding = apply(ns, Manifests.fullNode("private", "networking: {http: {}, tcp: {}}"));
      assertThat(adding.succeeded()).isFalse();
      assertThat(adding.stderr()).contains("spec.networking.tcp: this cluster cannot publish nodes over tcp");
      ReviewRecorder.record(webhook, Endpoints.VALIDATE_SEINODES, "validate-seinode-update-adds-tcp");

      Kubectl.Result editing = apply(ns, Manifests.fullNode("already-public", "networking: {tcp: {}}\n  paused: true"));
      assertApplied(editing);
      assertThat(editing.stderr())
          .contains("Warning: spec.networking.tcp kept, but this cluster cannot publish: SEI_VPC_CIDR is not configured");
      ReviewRecorder.record(webhook, Endpoints.VALIDATE_SEINODES, "validate-seinode-update-keeps-tcp");
    }
  }

  @Test
  void namesAndPeersThatCannotWorkAreRefusedWithTheirFields() {
    String ns = plane.newNamespace("fields");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE)) {
      String longName = "validator-with-a-name-far-too-long-for-its-load-balancer-svc";
      Kubectl.Result result = apply(ns, Manifests.fullNode(longName, """
          peers:
            - static: {addresses: ["peer.example.com:26656"]}"""));

      assertThat(result.succeeded()).isFalse();
      assertThat(result.stderr()).contains("The SeiNode \"" + longName + "\" is invalid")
          .contains("* metadata.name: derived load-balancer Service name \"" + longName + "-p2p\" is 64 characters long")
          .contains("* spec.peers[0].static.addresses[0]: \"peer.example.com:26656\" has no node ID");
      ReviewRecorder.record(webhook, Endpoints.VALIDATE_SEINODES, "validate-seinode-bad-name-and-peer");
    }
  }

  @Test
  void theStatefulSetOfAnUnpublishedTcpNodeIsHeldUntilItHasAnAddress() throws Exception {
    String ns = plane.newNamespace("gate");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE)) {
      assertApplied(apply(ns, Manifests.fullNode("gated", "networking: {tcp: {}}")));
      assertApplied(apply(ns, Manifests.fullNode("plain", "networking: {http: {}}")));

      Kubectl.Result held = create(ns, Manifests.statefulSet("gated"));
      assertThat(held.succeeded()).isFalse();
      assertThat(held.stderr()).contains("Error from server (Forbidden)")
          .contains("StatefulSet " + ns + "/gated is held: SeiNode gated publishes P2P over tcp but "
              + "status.externalAddress is not set yet (waiting for its load balancer)");
      ReviewRecorder.record(webhook, Endpoints.VALIDATE_STATEFULSETS, "validate-statefulset-held");

      long liveLookups = liveLookups(webhook);
      assertThat(create(ns, Manifests.statefulSet("plain")).succeeded()).isTrue();
      assertThat(liveLookups(webhook)).as("a cached owner costs no API call").isEqualTo(liveLookups);

      Kubectl.Result orphan = create(ns, Manifests.statefulSet("no-such-node"));
      assertThat(orphan.succeeded()).isTrue();
      assertThat(orphan.stderr()).contains("Warning: StatefulSet " + ns + "/no-such-node: owner SeiNode no-such-node "
          + "not found; admitted without the publication check");
      assertThat(liveLookups(webhook)).as("a cache miss costs one GET").isEqualTo(liveLookups + 1);

      SeiNode gated = plane.client().resources(SeiNode.class).inNamespace(ns).withName("gated").get();
      gated.setStatus(new SeiNodeStatus("gated-0123.elb.us-east-2.amazonaws.com:26656", null, null, null, null, null));
      plane.client().resource(gated).updateStatus();
      awaitCreatable(ns, Manifests.statefulSet("gated"));
      assertThat(create(ns, Manifests.statefulSet("gated")).succeeded()).isTrue();
      ReviewRecorder.record(webhook, Endpoints.VALIDATE_STATEFULSETS, "validate-statefulset-published");
    }
  }

  /**
   * Creating a SeiNode is creating a pod that holds the Secrets it names: its author must be able to read them,
   * checked with a SubjectAccessReview for the requesting user.
   */
  @Test
  void aNodeMayNameOnlySecretsItsAuthorCanRead() {
    String ns = plane.newNamespace("secrets");
    String validator = Manifests.seiNode("val", "validator: {nodeKey: {secret: {secretName: their-key}}, "
        + "signingKey: {secret: {secretName: sign-key}}}");
    grant(ns, "alice-nodes", "rules: [{apiGroups: [sei.io], resources: [seinodes], verbs: [get, create, patch]}]");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE)) {
      refusedUntilAliceMayRead(ns, validator, "their-key, sign-key", () -> {
        assertThat(plane.client().resources(SeiNode.class).inNamespace(ns).withName("val").get()).isNull();
        ReviewRecorder.record(webhook, Endpoints.VALIDATE_SEINODES, "validate-seinode-unreadable-secrets");
      }, "The SeiNode \"val\" is invalid",
          "* spec.validator.nodeKey.secret.secretName: user alice cannot get Secret " + ns + "/their-key, "
              + "and the node's pod would hold it: reference a Secret you can read, or have get on this one granted",
          "* spec.validator.signingKey.secret.secretName: user alice cannot get Secret " + ns + "/sign-key");
    }
  }

  /** A deployment's template holds the same Secrets in each child's pod: the same check, at the template's fields. */
  @Test
  void aDeploymentMayNameOnlySecretsItsAuthorCanRead() {
    String ns = plane.newNamespace("deployment-secrets");
    String validators = """
        apiVersion: sei.io/v1alpha1
        kind: SeiNodeDeployment
        metadata: {name: vals}
        spec:
          replicas: 2
          template:
            spec:
              chainId: pacific-1
              image: ghcr.io/sei-protocol/seid:v6.1.0
              validator: {nodeKey: {secret: {secretName: their-key}}, signingKey: {secret: {secretName: sign-key}}}
        """;
    grant(ns, "alice-deployments", "rules: [{apiGroups: [sei.io], resources: [seinodedeployments], "
        + "verbs: [get, create, patch]}]");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE)) {
      refusedUntilAliceMayRead(ns, validators, "their-key, sign-key", () -> { },
          "The SeiNodeDeployment \"vals\" is invalid",
          "* spec.template.spec.validator.nodeKey.secret.secretName: user alice cannot get Secret " + ns
              + "/their-key, and the node's pod would hold it",
          "* spec.template.spec.validator.signingKey.secret.secretName: user alice cannot get Secret " + ns
              + "/sign-key");
    }
  }

  /** The check asks as the whole requesting user: a Secret its group may read is one it may name. */
  @Test
  void aSecretReadableThroughTheAuthorsGroupMayBeNamed() {
    String ns = plane.newNamespace("group-secrets");
    String validator = Manifests.seiNode("val", "validator: {nodeKey: {secret: {secretName: team-key}}, "
        + "signingKey: {secret: {secretName: team-signing-key}}}");
    grant(ns, "alice-nodes", "rules: [{apiGroups: [sei.io], resources: [seinodes], verbs: [get, create, patch]}]");
    grant(ns, "validators-keys", "rules: [{apiGroups: [\"\"], resources: [secrets], resourceNames: [team-key, "
        + "team-signing-key], verbs: [get]}]", "{apiGroup: rbac.authorization.k8s.io, kind: Group, name: validators}");
    try (LocalWebhook webhook = LocalWebhook.startFor(plane, ns, ROUTABLE)) {
      Kubectl.Result outside = plane.kubectl().runWithInput(validator, "-n", ns, "--as=alice", "create",
          "--dry-run=server", "-f", "-");
      Kubectl.Result inside = plane.kubectl().runWithInput(validator, "-n", ns, "--as=alice",
          "--as-group=validators", "--as-group=system:authenticated", "apply", "-f", "-");

      assertThat(outside.succeeded()).as("alice outside the group").isFalse();
      assertThat(outside.stderr()).contains("user alice cannot get Secret " + ns + "/team-key");
      assertApplied(inside);
    }
  }

  /**
   * {@code manifest}, applied as alice, is refused with an error that contains each of {@code denials}; after
   * {@code meanwhile}, and once alice may get the Secrets {@code secrets} (a YAML flow list's items), it is applied.
   */
  private static void refusedUntilAliceMayRead(String ns, String manifest, String secrets, Runnable meanwhile,
      String... denials) {
    Kubectl.Result denied = plane.kubectl().runWithInput(manifest, "-n", ns, "--as=alice", "apply", "-f", "-");

    assertThat(denied.succeeded()).isFalse();
    assertThat(denied.stderr()).contains(denials);
    meanwhile.run();

    grant(ns, "alice-keys", "rules: [{apiGroups: [\"\"], resources: [secrets], resourceNames: [" + secrets + "], "
        + "verbs: [get]}]");
    assertApplied(plane.kubectl().runWithInput(manifest, "-n", ns, "--as=alice", "apply", "-f", "-"));
  }

  /** A Role with {@code rules} in {@code ns}, bound to user alice. */
  private static void grant(String ns, String name, String rules) {
    grant(ns, name, rules, "{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}");
  }

  /** A Role with {@code rules} in {@code ns}, bound to {@code subject}. */
  private static void grant(String ns, String name, String rules, String subject) {
    assertApplied(plane.kubectl().runWithInput("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: %1$s}
        %2$s
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: %1$s}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: %1$s}
        subjects: [%3$s]
        """.formatted(name, rules, subject), "-n", ns, "apply", "-f", "-"));
  }

  private static long liveLookups(LocalWebhook webhook) throws IOException, InterruptedException {
    HttpResponse<String> metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webhook.healthPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher matcher = Pattern.compile("(?m)^sei_webhook_owner_live_lookups_total(\\{[^}]*})? ([0-9.E]+)$")
        .matcher(metrics.body());
    assertThat(matcher.find()).as(metrics.body()).isTrue();
    return (long) Double.parseDouble(matcher.group(2));
  }

  /** The webhook's cache sees the new status moments after the apiserver stored it. */
  private static void awaitCreatable(String ns, String manifest) {
    Await.until("the StatefulSet to be admitted once the address is published", Duration.ofSeconds(20),
        () -> plane.kubectl().runWithInput(manifest, "-n", ns, "create", "--dry-run=server", "-f", "-").succeeded());
  }


  private static Kubectl.Result apply(String ns, String manifest) {
    return plane.kubectl().runWithInput(manifest, "-n", ns, "apply", "-f", "-");
  }

  private static Kubectl.Result create(String ns, String manifest) {
    return plane.kubectl().runWithInput(manifest, "-n", ns, "create", "-f", "-");
  }

  private static void assertApplied(Kubectl.Result result) {
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

}
