package io.sei.p2p.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookCertificatesTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final WebhookCertificates.Target TARGET =
      WebhookCertificates.Target.standard("sei-system", "sei-p2p-webhook", "sei-p2p-webhook-tls", List.of("127.0.0.1"));

  @Test
  void aMissingSecretIsCreatedWithTheServiceNames() throws Exception {
    Secret secret = WebhookCertificates.desired(null, TARGET, at(T0)).orElseThrow();

    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
    X509Certificate serving = serving(secret);
    assertThat(serving.getSubjectAlternativeNames()).extracting(san -> String.valueOf(san.get(1))).containsExactly(
        "sei-p2p-webhook", "sei-p2p-webhook.sei-system", "sei-p2p-webhook.sei-system.svc",
        "sei-p2p-webhook.sei-system.svc.cluster.local", "127.0.0.1");
    serving.verify(Pem.certificates(WebhookCertificates.caBundle(secret)).get(0).getPublicKey());
    assertThat(serving.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void nothingIsWrittenUntilTwoThirdsOfTheLifetime() {
    Secret secret = WebhookCertificates.desired(null, TARGET, at(T0)).orElseThrow();

    assertThat(WebhookCertificates.desired(secret, TARGET, at(T0.plus(Duration.ofDays(59))))).isEmpty();
    assertThat(WebhookCertificates.desired(secret, TARGET, at(T0.plus(Duration.ofDays(61))))).isPresent();
  }

  @Test
  void rotationKeepsTheCaSoTheCaBundleStaysValid() throws Exception {
    Secret first = WebhookCertificates.desired(null, TARGET, at(T0)).orElseThrow();
    Secret rotated = WebhookCertificates.desired(first, TARGET, at(T0.plus(Duration.ofDays(61)))).orElseThrow();

    assertThat(WebhookCertificates.caBundle(rotated)).isEqualTo(WebhookCertificates.caBundle(first));
    assertThat(serving(rotated)).isNotEqualTo(serving(first));
    serving(rotated).verify(Pem.certificates(WebhookCertificates.caBundle(first)).get(0).getPublicKey());
  }

  @Test
  void aDueCaIsReplacedButStaysTrustedUntilItExpires() throws Exception {
    Secret first = WebhookCertificates.desired(null, TARGET, at(T0)).orElseThrow();
    Instant caDue = T0.plus(Duration.ofDays(2500));

    Secret renewed = WebhookCertificates.desired(first, TARGET, at(caDue)).orElseThrow();

    List<X509Certificate> bundle = Pem.certificates(WebhookCertificates.caBundle(renewed));
    assertThat(bundle).hasSize(2);
    assertThat(bundle.get(1)).isEqualTo(Pem.certificates(WebhookCertificates.caBundle(first)).get(0));
    serving(renewed).verify(bundle.get(0).getPublicKey());
  }

  @Test
  void aCertificateMissingANewNameIsReissued() {
    Secret secret = WebhookCertificates.desired(null, TARGET, at(T0)).orElseThrow();
    WebhookCertificates.Target renamed = WebhookCertificates.Target.standard("sei-system", "sei-p2p-webhook",
        "sei-p2p-webhook-tls", List.of("webhook.example.com"));

    assertThat(WebhookCertificates.desired(secret, renamed, at(T0))).isPresent();
  }

  @Test
  void certManagerRenewsAtTwoThirdsToo() {
    Certificate serving = (Certificate) CertManagerResources.all(TARGET).get(3);

    assertThat(serving.getMetadata().getName()).isEqualTo("sei-p2p-webhook-serving");
    assertThat(serving.getSpec().getSecretName()).isEqualTo("sei-p2p-webhook-tls");
    assertThat(serving.getSpec().getDuration().getDuration()).isEqualTo(Duration.ofHours(2160));
    assertThat(serving.getSpec().getRenewBefore().getDuration()).isEqualTo(Duration.ofHours(720));
    assertThat(serving.getSpec().getIssuerRef().getName()).isEqualTo("sei-p2p-webhook-ca");
  }

  @Test
  void theCommandLineSaysWhatIsWrong() {
    assertThatThrownBy(() -> CertsMain.Command.parse(new String[] {"rotate"})).hasMessageStartingWith("usage:");
    assertThatThrownBy(() -> CertsMain.Command.parse(new String[] {"ensure", "--namespace"}))
        .hasMessageStartingWith("--namespace needs a value");
    assertThat(CertsMain.Command.parse(new String[] {"ensure", "--san", "localhost"}).target().subjectAltNames())
        .endsWith("localhost");
  }

  private static X509Certificate serving(Secret secret) {
    return Pem.certificate(new String(Base64.getDecoder().decode(secret.getData().get("tls.crt")),
        StandardCharsets.UTF_8));
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }
}
