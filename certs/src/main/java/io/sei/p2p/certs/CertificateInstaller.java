package io.sei.p2p.certs;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the serving certificate Secret and the caBundle of the project's webhook configurations, when due. */
public final class CertificateInstaller {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateInstaller.class);

  private final KubernetesClient client;
  private final Clock clock;

  public CertificateInstaller(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * Creates or rotates the Secret if due (an update carries the resourceVersion read, so two replicas cannot both
   * win), then makes every webhook of {@code webhookConfiguration} trust its CA bundle. Returns the Secret.
   */
  public Secret ensure(WebhookCertificates.Target target, String webhookConfiguration) {
    Secret existing = client.secrets().inNamespace(target.namespace()).withName(target.secretName()).get();
    Optional<Secret> desired = WebhookCertificates.desired(existing, target, clock);
    Secret secret = existing;
    if (desired.isPresent()) {
      if (existing == null) {
        secret = client.resource(desired.get()).create();
        LOG.info("created serving certificate Secret {}/{}", target.namespace(), target.secretName());
      } else {
        desired.get().getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        secret = client.resource(desired.get()).update();
        LOG.info("rotated serving certificate Secret {}/{}", target.namespace(), target.secretName());
      }
    }
    trustBundle(webhookConfiguration, WebhookCertificates.caBundle(secret));
    return secret;
  }

  private void trustBundle(String name, String caPem) {
    String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
    MutatingWebhookConfiguration mutating = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(name).get();
    if (mutating != null && mutating.getWebhooks().stream()
        .anyMatch(w -> !Objects.equals(bundle, w.getClientConfig().getCaBundle()))) {
      client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).edit(c -> {
        c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
        return c;
      });
    }
    ValidatingWebhookConfiguration validating = client.admissionRegistration().v1().validatingWebhookConfigurations()
        .withName(name).get();
    if (validating != null && validating.getWebhooks().stream()
        .anyMatch(w -> !Objects.equals(bundle, w.getClientConfig().getCaBundle()))) {
      client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).edit(c -> {
        c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
        return c;
      });
    }
  }
}
