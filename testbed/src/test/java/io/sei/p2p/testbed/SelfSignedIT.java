package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.sei.p2p.certs.Pem;
import io.sei.p2p.certs.WebhookCertificates;
import java.nio.charset.StandardCharsets;
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

  private static ControlPlane plane;

  @BeforeAll
  static void useControlPlane(ControlPlane controlPlane) {
    plane = controlPlane;
  }

  @Test
  void twoReplicasShareOneCertificateThatRotatesWithoutAFailedRequest() throws Exception {
    String ns = plane.newNamespace("selfsigned");
    int port = FreePort.next();
    List<HasMetadata> registration = WebhookRegistration.register(plane.client(), "https://127.0.0.1:" + port, null, ns);
    Map<String, String> env = new HashMap<>(Map.of("TLS_MODE", "self-signed", "POD_NAMESPACE", ns,
        "WEBHOOK_CONFIGURATION", "sei-p2p-" + ns, "SELF_SIGNED_VALIDITY_SECONDS", "30",
        "SEI_VPC_CIDR", "10.0.0.0/16", "POD_IP", "10.0.3.7", "TLS_EXTRA_NAMES", "127.0.0.1"));
    Map<String, String> first = new HashMap<>(env);
    first.put("WEBHOOK_PORT", Integer.toString(port));
    CompletableFuture<LocalWebhook> replicaA = CompletableFuture.supplyAsync(() -> LocalWebhook.startSelfSigned(plane, first));
    CompletableFuture<LocalWebhook> replicaB = CompletableFuture.supplyAsync(() -> LocalWebhook.startSelfSigned(plane, env));
    try (LocalWebhook a = replicaA.get(); LocalWebhook b = replicaB.get()) {
      Secret initial = plane.client().secrets().inNamespace(ns).withName("sei-p2p-webhook-tls").get();
      String caBundle = Base64.getEncoder().encodeToString(
          WebhookCertificates.caBundle(initial).getBytes(StandardCharsets.UTF_8));
      ValidatingWebhookConfiguration validating = plane.client().admissionRegistration().v1()
          .validatingWebhookConfigurations().withName("sei-p2p-" + ns).get();
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

      Secret rotated = plane.client().secrets().inNamespace(ns).withName("sei-p2p-webhook-tls").get();
      assertThat(serving(rotated).getSerialNumber()).as("the serving certificate rotated")
          .isNotEqualTo(serving(initial).getSerialNumber());
      assertThat(WebhookCertificates.caBundle(rotated)).isEqualTo(WebhookCertificates.caBundle(initial));
      assertThat(failures).as("requests that failed during rotation").isEmpty();
      assertThat(answered).isGreaterThan(20);
      assertThat(plane.client().leases().inNamespace(ns).withName("sei-p2p-webhook-certificates").get()
          .getSpec().getHolderIdentity()).isNotBlank();
    } finally {
      WebhookRegistration.unregister(plane.client(), registration);
    }
  }

  private static java.security.cert.X509Certificate serving(Secret secret) {
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
