package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.CertManagerResources;
import io.sei.p2p.certs.WebhookCertificates;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The install manifests: each overlay renders with kubectl kustomize and is accepted by the real apiserver. */
@ExtendWith(ControlPlaneExtension.class)
class ManifestsIT {

  private static final Path MANIFESTS = RepoRoot.find().resolve("manifests");
  private static ControlPlane plane;

  @BeforeAll
  static void prepare(ControlPlane controlPlane) throws Exception {
    plane = controlPlane;
    KubernetesClient client = plane.client();
    CertManager.installCrds(plane);
    // the namespaces the overlays install into (a dry run cannot create a namespace and fill it at once)
    for (String ns : List.of("sei-system", "team-a", "team-b")) {
      if (client.namespaces().withName(ns).get() == null) {
        plane.newNamespaceNamed(ns);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cert-manager", "overlays/self-signed", "overlays/namespaced-example"})
  void rendersAndIsAcceptedByTheApiserver(String kustomization) {
    Kubectl.Result rendered = plane.kubectl().run("kustomize", MANIFESTS.resolve(kustomization).toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();

    Kubectl.Result dryRun = plane.kubectl().runWithInput(rendered.stdout(), "apply", "--dry-run=server",
        "--validate=strict", "-f", "-");
    assertThat(dryRun.succeeded()).as(dryRun.toString()).isTrue();
    assertThat(dryRun.stdout()).contains("deployment.apps/sei-p2p-webhook created (server dry run)")
        .contains("validatingwebhookconfiguration.admissionregistration.k8s.io/sei-p2p created (server dry run)");
  }

  /** Kubernetes' built-in roles grant the API through aggregation: edit may create nodes, view may only read. */
  @Test
  void theBuiltInEditAndViewRolesCoverTheApi() {
    assertThat(plane.kubectl().run("apply", "-f", MANIFESTS.resolve("base/user-roles.yaml").toString()).succeeded())
        .isTrue();
    String ns = plane.newNamespace("user-roles");
    assertThat(plane.kubectl().run("-n", ns, "create", "rolebinding", "alice-edits", "--clusterrole=edit",
        "--user=alice").succeeded()).isTrue();
    assertThat(plane.kubectl().run("-n", ns, "create", "rolebinding", "bob-views", "--clusterrole=view",
        "--user=bob").succeeded()).isTrue();

    // the aggregation controller folds the rules in shortly after
    Await.until("edit covers SeiNodes", Duration.ofSeconds(30), () -> can(ns, "alice", "create", "seinodes.sei.io"));
    assertThat(can(ns, "alice", "patch", "seinodedeployments.sei.io/scale")).isTrue();
    Await.until("view covers SeiNodes", Duration.ofSeconds(30), () -> can(ns, "bob", "list", "seinodes.sei.io"));
    assertThat(can(ns, "bob", "get", "seinodedeployments.sei.io/status")).isTrue();
    assertThat(can(ns, "bob", "create", "seinodes.sei.io")).isFalse();
    assertThat(can(ns, "bob", "delete", "seinodedeployments.sei.io")).isFalse();
  }

  /** In self-signed mode the webhook may touch its own Secret and Lease, and no other. */
  @Test
  void theSelfSignedOverlayNamesTheSecretAndLeaseItMayUse() {
    Rbac.install(plane.client());
    assertThat(plane.kubectl().run("apply", "-f", MANIFESTS.resolve("overlays/self-signed/rbac.yaml").toString())
        .succeeded()).isTrue();
    String webhook = "system:serviceaccount:" + Rbac.NAMESPACE + ":" + Rbac.WEBHOOK;

    for (String verb : List.of("get", "list", "watch", "update")) {
      assertThat(can(Rbac.NAMESPACE, webhook, verb, "secrets/sei-p2p-webhook-tls")).as(verb).isTrue();
      assertThat(can(Rbac.NAMESPACE, webhook, verb, "secrets/another-secret")).as(verb + " another").isFalse();
    }
    assertThat(can(Rbac.NAMESPACE, webhook, "list", "secrets")).as("list every Secret").isFalse();
    assertThat(can(Rbac.NAMESPACE, webhook, "patch", "leases.coordination.k8s.io/sei-p2p-webhook-certificates"))
        .isTrue();
    assertThat(can(Rbac.NAMESPACE, webhook, "patch", "leases.coordination.k8s.io/sei-p2p-controller")).isFalse();
  }

  /** Each NetworkPolicy selects its Deployment's pods and opens exactly the ports they serve. */
  @Test
  void theNetworkPoliciesOpenOnlyTheServedPorts() throws Exception {
    List<HasMetadata> base = plane.client().load(new ByteArrayInputStream(plane.kubectl()
        .run("kustomize", MANIFESTS.resolve("base").toString()).stdout().getBytes(StandardCharsets.UTF_8))).items();
    List<NetworkPolicy> policies = base.stream().filter(NetworkPolicy.class::isInstance)
        .map(NetworkPolicy.class::cast).toList();
    List<Deployment> deployments = base.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .toList();

    assertThat(policies).hasSameSizeAs(deployments);
    for (Deployment deployment : deployments) {
      Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
      NetworkPolicy policy = policies.stream().filter(p -> podLabels.entrySet()
          .containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet())).findFirst().orElseThrow();
      assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
      assertThat(policy.getSpec().getIngress().stream().flatMap(rule -> rule.getPorts().stream())
          .map(port -> port.getPort().getIntVal()))
          .containsExactlyInAnyOrderElementsOf(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)
              .getPorts().stream().map(ContainerPort::getContainerPort).toList());
    }
  }

  private static boolean can(String ns, String user, String verb, String resource) {
    return plane.kubectl().can(ns, user, verb, resource);
  }

  @Test
  void theRbacHasNoWildcards() throws Exception {
    for (String file : List.of("base/rbac.yaml", "base/user-roles.yaml", "overlays/self-signed/rbac.yaml",
        "namespaced-roles/roles.yaml")) {
      String rbac = Files.readString(MANIFESTS.resolve(file));
      assertThat(rbac).as(file).doesNotContain("\"*\"").doesNotContain("'*'").doesNotContain("- *");
    }
  }

  @Test
  void theCertManagerOverlayIsWhatTheCertsCommandApplies() throws Exception {
    KubernetesClient client = plane.client();
    List<HasMetadata> manifest = client.load(new ByteArrayInputStream(Files.readAllBytes(
        MANIFESTS.resolve("overlays/cert-manager/certificates.yaml")))).items();
    List<HasMetadata> built = CertManagerResources.all(WebhookCertificates.Target.standard("sei-system",
        "sei-p2p-webhook", "sei-p2p-webhook-tls", List.of()));

    assertThat(manifest.stream().map(r -> tree(client, r)).toList())
        .isEqualTo(built.stream().map(r -> tree(client, r)).toList());
    Kubectl.Result rendered = plane.kubectl().run("kustomize", MANIFESTS.resolve("overlays/cert-manager").toString());
    assertThat(rendered.stdout()).contains("cert-manager.io/inject-ca-from: sei-system/"
        + CertManagerResources.servingCertificateName(WebhookCertificates.Target.standard("sei-system",
            "sei-p2p-webhook", "sei-p2p-webhook-tls", List.of())));
  }

  /** Deleting an overlay never deletes the CRDs, and with them every node: they are a kustomization of their own. */
  @Test
  void theCrdsAreTheirOwnKustomizationAndNoOverlayCarriesThem() {
    assertThat(kindsAndNames("crds")).containsExactlyInAnyOrder("CustomResourceDefinition seinodes.sei.io",
        "CustomResourceDefinition seinodedeployments.sei.io");
    for (String kustomization : List.of("base", "overlays/cert-manager", "overlays/self-signed",
        "overlays/namespaced-example")) {
      assertThat(kindsAndNames(kustomization)).as(kustomization).isNotEmpty()
          .noneMatch(object -> object.startsWith("CustomResourceDefinition "));
    }
  }

  private static List<String> kindsAndNames(String kustomization) {
    Kubectl.Result rendered = plane.kubectl().run("kustomize", MANIFESTS.resolve(kustomization).toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();
    return plane.client().load(new ByteArrayInputStream(rendered.stdout().getBytes(StandardCharsets.UTF_8))).items()
        .stream().map(object -> object.getKind() + " " + object.getMetadata().getName()).toList();
  }

  @Test
  void theGeneratedCrdsAreTheInstalledManifests() throws Exception {
    for (String crd : List.of("seinodes.sei.io", "seinodedeployments.sei.io")) {
      String manifest = Files.readString(MANIFESTS.resolve("crds/" + crd + "-v1.yml"));
      String generated;
      try (var in = ManifestsIT.class.getResourceAsStream("/META-INF/fabric8/" + crd + "-v1.yml")) {
        generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(manifest).as(crd + " in manifests/crds must be the build's output").isEqualTo(generated);
    }
  }

  private static JsonNode tree(KubernetesClient client, HasMetadata resource) {
    return client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
  }
}
