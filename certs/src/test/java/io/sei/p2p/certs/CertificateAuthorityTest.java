package io.sei.p2p.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SignatureException;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofDays(365), CLOCK);

  @Test
  void servingCertificateIsSignedByTheCaAndCarriesDnsAndIpNames() throws Exception {
    IssuedCertificate serving = ca.issueServing("webhook",
        List.of("sei-webhook.sei-system.svc", "127.0.0.1", "::1"), Duration.ofDays(30));

    X509Certificate cert = serving.certificate();
    cert.verify(ca.certificate().certificate().getPublicKey());
    assertThat(cert.getSubjectAlternativeNames())
        .extracting(san -> san.get(0) + "=" + san.get(1))
        .containsExactly("2=sei-webhook.sei-system.svc", "7=127.0.0.1", "7=0:0:0:0:0:0:0:1");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(serving.notAfter()).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(serving.notBefore()).as("backdated for clock skew").isEqualTo(Instant.parse("2025-12-31T23:55:00Z"));
    assertThat(ca.issueServing("short", List.of("x"), Duration.ofSeconds(30)).notBefore())
        .as("a short-lived certificate is backdated by a tenth of its life").isEqualTo(Instant.parse("2025-12-31T23:59:57Z"));
  }

  @Test
  void clientCertificateNamesUserAndGroups() throws Exception {
    IssuedCertificate admin = ca.issueClient("admin", List.of("system:masters"), Duration.ofDays(1));

    assertThat(admin.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=admin,O=system:masters");
    assertThat(admin.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
  }

  @Test
  void caIsACaAndNothingElseVerifiesAgainstIt() throws Exception {
    assertThat(ca.certificate().certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(1), CLOCK);
    X509Certificate foreign = other.issueServing("x", List.of("x"), Duration.ofDays(1)).certificate();

    assertThatThrownBy(() -> foreign.verify(ca.certificate().certificate().getPublicKey()))
        .isInstanceOf(SignatureException.class);
  }

  @Test
  void pemRoundTrips() {
    IssuedCertificate serving = ca.issueServing("x", List.of("localhost"), Duration.ofDays(1));

    assertThat(Pem.certificate(serving.certificatePem())).isEqualTo(serving.certificate());
    assertThat(Pem.privateKey(serving.privateKeyPem())).isEqualTo(serving.privateKey());
    assertThat(serving.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(serving.privateKeyTraditionalPem()).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(((ECPrivateKey) Pem.privateKey(serving.privateKeyTraditionalPem())).getS())
        .isEqualTo(((ECPrivateKey) serving.privateKey()).getS());
  }
}
