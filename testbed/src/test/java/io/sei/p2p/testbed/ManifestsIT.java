package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.certmanager.api.model.v1.Issuer;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.CertManagerResources;
import io.sei.p2p.certs.WebhookCertificates;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
    // cert-manager's CRDs, generated from fabric8's cert-manager model
    File out = Files.createTempDirectory("cert-manager-crds").toFile();
    new CRDGenerator().inOutputDir(out).forCRDVersions("v1").customResourceClasses(Issuer.class, Certificate.class)
        .generate();
    try (Stream<Path> crds = Files.list(out.toPath())) {
      for (Path crd : crds.toList()) {
        assertThat(plane.kubectl().run("apply", "--server-side", "-f", crd.toString()).succeeded()).isTrue();
      }
    }
    plane.kubectl().run("wait", "--for=condition=Established", "crd/issuers.cert-manager.io",
        "crd/certificates.cert-manager.io", "--timeout=30s");
    if (client.namespaces().withName("sei-system").get() == null) {
      plane.newNamespaceNamed("sei-system");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cert-manager", "overlays/self-signed"})
  void rendersAndIsAcceptedByTheApiserver(String kustomization) {
    Kubectl.Result rendered = plane.kubectl().run("kustomize", MANIFESTS.resolve(kustomization).toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();

    Kubectl.Result dryRun = plane.kubectl().runWithInput(rendered.stdout(), "apply", "--dry-run=server",
        "--validate=strict", "-f", "-");
    assertThat(dryRun.succeeded()).as(dryRun.toString()).isTrue();
    assertThat(dryRun.stdout()).contains("deployment.apps/sei-p2p-webhook created (server dry run)")
        .contains("validatingwebhookconfiguration.admissionregistration.k8s.io/sei-p2p created (server dry run)");
  }

  @Test
  void theRbacHasNoWildcards() throws Exception {
    for (String file : List.of("base/rbac.yaml", "overlays/self-signed/rbac.yaml")) {
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

  @Test
  void theGeneratedCrdsAreTheInstalledManifests() throws Exception {
    for (String crd : List.of("seinodes.sei.io", "seinodedeployments.sei.io")) {
      String manifest = Files.readString(MANIFESTS.resolve("base/crds/" + crd + "-v1.yml"));
      String generated;
      try (var in = ManifestsIT.class.getResourceAsStream("/META-INF/fabric8/" + crd + "-v1.yml")) {
        generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(manifest).as(crd + " in manifests/base/crds must be the build's output").isEqualTo(generated);
    }
  }

  private static JsonNode tree(KubernetesClient client, HasMetadata resource) {
    return client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
  }
}
