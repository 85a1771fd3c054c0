package io.sei.p2p.certs;

import io.fabric8.certmanager.api.model.v1.CertificateBuilder;
import io.fabric8.certmanager.api.model.v1.IssuerBuilder;
import io.fabric8.kubernetes.api.model.Duration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * The cert-manager path: a self-signed Issuer, a CA Certificate, a CA Issuer and the webhook's serving Certificate
 * (renewed at two thirds of its lifetime), written into the Secret the webhook mounts. The webhook configurations
 * carry {@code cert-manager.io/inject-ca-from} so that cert-manager fills their caBundle.
 */
public final class CertManagerResources {

  public static final String INJECT_CA_FROM = "cert-manager.io/inject-ca-from";

  private CertManagerResources() {
  }

  /** The serving Certificate's name, as {@code inject-ca-from} names it ({@code <namespace>/<name>}). */
  public static String servingCertificateName(WebhookCertificates.Target target) {
    return target.service() + "-serving";
  }

  public static List<HasMetadata> all(WebhookCertificates.Target target) {
    String ns = target.namespace();
    String selfSigned = target.service() + "-selfsigned";
    String ca = target.service() + "-ca";
    return List.of(
        new IssuerBuilder().withNewMetadata().withName(selfSigned).withNamespace(ns).endMetadata()
            .withNewSpec().withNewSelfSigned().endSelfSigned().endSpec().build(),
        new CertificateBuilder().withNewMetadata().withName(ca).withNamespace(ns).endMetadata()
            .withNewSpec().withIsCA(true).withCommonName(ca).withSecretName(ca)
              .withDuration(hours(target.caValidity().toHours()))
              .withNewPrivateKey().withAlgorithm("ECDSA").withSize(256).endPrivateKey()
              .withNewIssuerRef().withName(selfSigned).withKind("Issuer").endIssuerRef()
            .endSpec().build(),
        new IssuerBuilder().withNewMetadata().withName(ca).withNamespace(ns).endMetadata()
            .withNewSpec().withNewCa().withSecretName(ca).endCa().endSpec().build(),
        new CertificateBuilder().withNewMetadata().withName(servingCertificateName(target)).withNamespace(ns)
            .endMetadata()
            .withNewSpec().withSecretName(target.secretName()).withDnsNames(target.subjectAltNames())
              .withDuration(hours(target.servingValidity().toHours()))
              .withRenewBefore(hours(target.servingValidity().toHours() / 3))
              .withNewPrivateKey().withAlgorithm("ECDSA").withSize(256).endPrivateKey()
              .withNewIssuerRef().withName(ca).withKind("Issuer").endIssuerRef()
            .endSpec().build());
  }

  private static Duration hours(long hours) {
    return new Duration(java.time.Duration.ofHours(hours));
  }
}
