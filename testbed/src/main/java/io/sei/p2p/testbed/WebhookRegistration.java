package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Registers a locally running webhook with the apiserver using manifests/base/webhook-configurations.yaml, the
 * rules users install, with two changes: the client config becomes {@code url} + CA bundle, and the namespace
 * selector becomes the one namespace a test owns (so several webhooks can coexist on one control plane).
 */
public final class WebhookRegistration {

  private WebhookRegistration() {
  }

  /** The manifests' webhook configurations, unmodified. */
  public static List<HasMetadata> manifests(KubernetesClient client) {
    Path file = RepoRoot.find().resolve("manifests/base/webhook-configurations.yaml");
    try (InputStream in = Files.newInputStream(file)) {
      return client.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Registers the webhook at {@code baseUrl} for {@code namespace} only, named {@code <manifest name>-<namespace>};
   * returns what it created. A null {@code caPem} leaves the caBundle to whoever manages it (self-signed mode).
   */
  public static List<HasMetadata> register(KubernetesClient client, String baseUrl, String caPem, String namespace) {
    return register(client, baseUrl, caPem, namespace, name -> name + "-" + namespace);
  }

  /** The same, each configuration named by {@code naming} from its manifest name. */
  public static List<HasMetadata> register(KubernetesClient client, String baseUrl, String caPem, String namespace,
      UnaryOperator<String> naming) {
    String caBundle = caPem == null ? null : Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
    LabelSelector onlyThisNamespace = new LabelSelectorBuilder()
        .addToMatchLabels("kubernetes.io/metadata.name", namespace).build();
    List<HasMetadata> configurations = manifests(client);
    for (HasMetadata configuration : configurations) {
      configuration.getMetadata().setName(naming.apply(configuration.getMetadata().getName()));
      if (configuration instanceof MutatingWebhookConfiguration mutating) {
        mutating.getWebhooks().forEach(webhook -> {
          webhook.setClientConfig(local(webhook.getClientConfig(), baseUrl, caBundle));
          webhook.setNamespaceSelector(onlyThisNamespace);
        });
      } else if (configuration instanceof ValidatingWebhookConfiguration validating) {
        validating.getWebhooks().forEach(webhook -> {
          webhook.setClientConfig(local(webhook.getClientConfig(), baseUrl, caBundle));
          webhook.setNamespaceSelector(onlyThisNamespace);
        });
      }
      client.resource(configuration).forceConflicts().serverSideApply();
    }
    return configurations;
  }

  public static void unregister(KubernetesClient client, List<HasMetadata> configurations) {
    configurations.forEach(configuration -> client.resource(configuration).delete());
  }

  private static WebhookClientConfig local(WebhookClientConfig fromManifest, String baseUrl, String caBundle) {
    WebhookClientConfig config = new WebhookClientConfig();
    config.setUrl(baseUrl + fromManifest.getService().getPath());
    config.setCaBundle(caBundle);
    return config;
  }
}
