package io.sei.p2p.certs;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.sei.p2p.model.WellKnown;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code certs ensure|cert-manager [--namespace NS] [--service SVC] [--secret NAME] [--webhook-configuration NAME]
 * [--san NAME]...}: creates or rotates the webhook's serving certificate and caBundle, or applies the cert-manager
 * resources that do it instead. Uses the kubeconfig as kubectl would.
 */
public final class CertsMain {

  static final String USAGE = "usage: certs ensure|cert-manager [--namespace sei-system] [--service sei-p2p-webhook] "
      + "[--secret sei-p2p-webhook-tls] [--webhook-configuration sei-p2p] [--san NAME]...";

  private CertsMain() {
  }

  /** The parsed command line. */
  record Command(String action, WebhookCertificates.Target target, String webhookConfiguration) {

    static Command parse(String[] args) {
      if (args.length == 0 || !List.of("ensure", "cert-manager").contains(args[0])) {
        throw new IllegalArgumentException(USAGE);
      }
      String namespace = WellKnown.INSTALL_NAMESPACE;
      String service = WellKnown.WEBHOOK_NAME;
      String secret = WellKnown.WEBHOOK_TLS_SECRET;
      String configuration = WellKnown.WEBHOOK_CONFIGURATION;
      List<String> sans = new ArrayList<>();
      for (int i = 1; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
        }
        String value = args[i + 1];
        switch (args[i]) {
          case "--namespace" -> namespace = value;
          case "--service" -> service = value;
          case "--secret" -> secret = value;
          case "--webhook-configuration" -> configuration = value;
          case "--san" -> sans.add(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
        }
      }
      return new Command(args[0], WebhookCertificates.Target.standard(namespace, service, secret, sans), configuration);
    }
  }

  public static void main(String[] args) {
    Command command;
    try {
      command = Command.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      if (command.action().equals("ensure")) {
        new CertificateInstaller(client, Clock.systemUTC()).ensure(command.target(), command.webhookConfiguration());
        System.out.println("serving certificate Secret " + command.target().namespace() + "/"
            + command.target().secretName() + " and caBundle of " + command.webhookConfiguration() + " are current");
      } else {
        for (HasMetadata resource : CertManagerResources.all(command.target())) {
          client.resource(resource).forceConflicts().serverSideApply();
          System.out.println("applied " + resource.getKind() + " " + resource.getMetadata().getName());
        }
      }
    }
  }
}
