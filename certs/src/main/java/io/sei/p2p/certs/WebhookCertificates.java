package io.sei.p2p.certs;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook's serving certificate as a {@code kubernetes.io/tls} Secret ({@code tls.crt}, {@code tls.key}, the
 * CA bundle in {@code ca.crt} and the CA key in {@code ca.key}), created, and rotated at two thirds of its lifetime.
 * Serving certificates are re-issued by the same CA, so the caBundle the apiserver trusts stays valid throughout;
 * a CA that is itself due is replaced while the old one stays in the bundle until it expires.
 */
public final class WebhookCertificates {

  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String TLS_CERT = "tls.crt";
  public static final String TLS_KEY = "tls.key";

  private WebhookCertificates() {
  }

  /** Where the certificate is served and kept. */
  public record Target(String namespace, String service, String secretName, List<String> extraNames,
      Duration servingValidity, Duration caValidity) {

    public static Target standard(String namespace, String service, String secretName, List<String> extraNames) {
      return new Target(namespace, service, secretName, extraNames, Duration.ofDays(90), Duration.ofDays(3650));
    }

    /** The names the apiserver may use to reach the Service, plus any extra (for local runs). */
    public List<String> subjectAltNames() {
      List<String> names = new ArrayList<>(List.of(service, service + "." + namespace, service + "." + namespace
          + ".svc", service + "." + namespace + ".svc.cluster.local"));
      names.addAll(extraNames);
      return names;
    }
  }

  /** Whether {@code certificate} has lived two thirds of its lifetime (or is not valid yet or any more). */
  public static boolean rotationDue(X509Certificate certificate, Instant now) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    Instant rotateAt = notBefore.plus(Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
    return !now.isBefore(rotateAt) || now.isBefore(notBefore);
  }

  /** The Secret to write, or empty when {@code existing} is complete and not due. */
  public static Optional<Secret> desired(Secret existing, Target target, Clock clock) {
    Instant now = clock.instant();
    Map<String, String> data = existing == null || existing.getData() == null ? Map.of() : existing.getData();
    CertificateAuthority ca = null;
    List<X509Certificate> bundle = new ArrayList<>();
    if (data.containsKey(CA_CERT) && data.containsKey(CA_KEY)) {
      List<X509Certificate> stored = Pem.certificates(decode(data.get(CA_CERT)));
      X509Certificate current = stored.get(0);
      if (!rotationDue(current, now)) {
        ca = CertificateAuthority.of(new IssuedCertificate(current, Pem.privateKey(decode(data.get(CA_KEY)))), clock);
        bundle.addAll(stored);
      } else if (current.getNotAfter().toInstant().isAfter(now)) {
        bundle.add(current); // still trusted until it expires, while the new CA takes over
      }
    }
    boolean servingGood = ca != null && data.containsKey(TLS_CERT) && data.containsKey(TLS_KEY)
        && !rotationDue(Pem.certificate(decode(data.get(TLS_CERT))), now)
        && matchesNames(Pem.certificate(decode(data.get(TLS_CERT))), target);
    if (servingGood) {
      return Optional.empty();
    }
    if (ca == null) {
      ca = CertificateAuthority.create(target.service() + "-ca", target.caValidity(), clock);
      bundle.add(0, ca.certificate().certificate());
    }
    bundle.removeIf(cert -> !cert.getNotAfter().toInstant().isAfter(now));
    IssuedCertificate serving = ca.issueServing(target.service(), target.subjectAltNames(), target.servingValidity());
    StringBuilder caPem = new StringBuilder();
    bundle.forEach(cert -> caPem.append(Pem.encode(cert)));
    return Optional.of(new SecretBuilder()
        .withNewMetadata().withName(target.secretName()).withNamespace(target.namespace())
          .addToLabels("app.kubernetes.io/managed-by", "sei-p2p").endMetadata()
        .withType("kubernetes.io/tls")
        .addToData(TLS_CERT, encode(serving.certificatePem()))
        .addToData(TLS_KEY, encode(serving.privateKeyPem()))
        .addToData(CA_CERT, encode(caPem.toString()))
        .addToData(CA_KEY, encode(ca.certificate().privateKeyPem()))
        .build());
  }

  /** The PEM CA bundle a Secret carries (what goes into the webhook configurations' caBundle). */
  public static String caBundle(Secret secret) {
    return decode(secret.getData().get(CA_CERT));
  }

  private static boolean matchesNames(X509Certificate serving, Target target) {
    try {
      List<String> names = new ArrayList<>();
      if (serving.getSubjectAlternativeNames() != null) {
        serving.getSubjectAlternativeNames().forEach(san -> names.add(String.valueOf(san.get(1))));
      }
      return names.containsAll(target.subjectAltNames().stream().filter(n -> !IpLiteral.isIpLiteral(n)).toList());
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
