package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.certs.Pem;
import io.sei.p2p.certs.WebhookCertificates;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Self-signed TLS: replicas share one Secret kept by an elected leader; rotation under load loses no request. */
@ExtendWith(ControlPlaneExtension.class)
class SelfSignedIT {

  private static final String SECRET = "sei-p2p-webhook-tls";
  private static ControlPlane plane;

  @BeforeAll
  static void useControlPlane(ControlPlane controlPlane) {
    plane = controlPlane;
  }

  /**
   * Two replicas as the self-signed overlay runs them: its RBAC, its Secret, Lease and webhook configuration names.
   * One leads and keeps the Secret and caBundle; both serve the rotated certificate.
   */
  @Test
  void twoReplicasShareOneCertificateThatRotatesWithoutAFailedRequest() throws Exception {
    KubernetesClient client = plane.client();
    String ns = plane.newNamespace("selfsigned");
    Rbac.install(client);
    assertThat(plane.kubectl().run("apply", "-f", RepoRoot.find().resolve("manifests/overlays/self-signed/rbac.yaml")
        .toString()).succeeded()).isTrue();
    int port = FreePort.next();
    // the names the overlay's RBAC allows: configurations sei-p2p, Secret and Lease in sei-system
    List<HasMetadata> registration = WebhookRegistration.register(client, "https://127.0.0.1:" + port, null, ns,
        name -> name);
    Map<String, String> env = new HashMap<>(Map.of("TLS_MODE", "self-signed", "SELF_SIGNED_VALIDITY_SECONDS", "30",
        "SEI_VPC_CIDR", "10.0.0.0/16", "TLS_EXTRA_NAMES", "127.0.0.1"));
    Map<String, String> first = new HashMap<>(env);
    first.putAll(Map.of("WEBHOOK_PORT", Integer.toString(port), "POD_IP", "10.0.3.7"));
    Map<String, String> second = new HashMap<>(env);
    second.put("POD_IP", "10.0.3.8");
    CompletableFuture<LocalWebhook> replicaA = CompletableFuture.supplyAsync(() -> LocalWebhook.startSelfSigned(plane, first));
    CompletableFuture<LocalWebhook> replicaB = CompletableFuture.supplyAsync(() -> LocalWebhook.startSelfSigned(plane, second));
    try (LocalWebhook a = replicaA.get(); LocalWebhook b = replicaB.get()) {
      Secret initial = client.secrets().inNamespace(Rbac.NAMESPACE).withName(SECRET).get();
      String caBundle = Base64.getEncoder().encodeToString(
          WebhookCertificates.caBundle(initial).getBytes(StandardCharsets.UTF_8));
      ValidatingWebhookConfiguration validating = client.admissionRegistration().v1()
          .validatingWebhookConfigurations().withName("sei-p2p").get();
      assertThat(validating.getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(caBundle));

      // through the apiserver, which trusts only the caBundle, while the 30 s certificate rotates (at 20 s)
      List<String> failures = new ArrayList<>();
      int answered = 0;
      Instant until = Instant.now().plus(Duration.ofSeconds(32));
      while (Instant.now().isBefore(until)) {
        Kubectl.Result result = plane.kubectl().runWithInput(legacyNode(), "-n", ns, "apply", "--dry-run=server",
            "-o", "jsonpath={.spec.networking}", "-f", "-");
        if (result.succeeded() && result.stdout().contains("\"http\":{}")) {
          answered++;
        } else {
          failures.add(result.toString());
        }
      }

      Secret rotated = client.secrets().inNamespace(Rbac.NAMESPACE).withName(SECRET).get();
      assertThat(serving(rotated).getSerialNumber()).as("the serving certificate rotated")
          .isNotEqualTo(serving(initial).getSerialNumber());
      assertThat(WebhookCertificates.caBundle(rotated)).isEqualTo(WebhookCertificates.caBundle(initial));
      assertThat(failures).as("requests that failed during rotation").isEmpty();
      assertThat(answered).isGreaterThan(20);
      String leader = client.leases().inNamespace(Rbac.NAMESPACE).withName("sei-p2p-webhook-certificates").get()
          .getSpec().getHolderIdentity();
      assertThat(leader).as("one replica leads").matches("10\\.0\\.3\\.[78]-.*");
      for (LocalWebhook replica : List.of(a, b)) {
        Await.until("replica " + replica.baseUrl() + " serves the rotated certificate", Duration.ofSeconds(10),
            () -> replica.presentedCertificate().getSerialNumber().equals(serving(rotated).getSerialNumber()));
      }
    } finally {
      WebhookRegistration.unregister(client, registration);
      client.secrets().inNamespace(Rbac.NAMESPACE).withName(SECRET).delete();
    }
  }

  private static X509Certificate serving(Secret secret) {
    return Pem.certificate(new String(Base64.getDecoder().decode(secret.getData().get("tls.crt")), StandardCharsets.UTF_8));
  }

  private static String legacyNode() {
    return """
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata: {name: probe}
        spec: {chainId: pacific-1, image: seid, networking: {}, fullNode: {}}
        """;
  }
}
