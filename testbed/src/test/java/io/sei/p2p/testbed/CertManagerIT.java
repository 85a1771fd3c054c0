package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sei.p2p.certs.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cert-manager overlay with the real cert-manager: the webhook's serving certificate is issued, its CA injected
 * into the webhook configurations, the apiserver calls the webhook through its Service with it, and renewals fail no
 * request.
 */
@ExtendWith(ControlPlaneExtension.class)
class CertManagerIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path OVERLAY = RepoRoot.find().resolve("manifests/overlays/cert-manager");
  private static final String SECRET = "sei-p2p-webhook-tls";
  private static final String CERTIFICATE = "sei-p2p-webhook-serving";
  private static final String LEGACY_NODE = """
      apiVersion: sei.io/v1alpha1
      kind: SeiNode
      metadata: {name: legacy}
      spec: {chainId: pacific-1, image: seid, networking: {}, fullNode: {}}
      """;
  private static ControlPlane plane;
  private static KubernetesClient client;
  private static CertManager certManager;
  private static List<HasMetadata> installed = List.of();
  private static volatile String lastApply;

  @BeforeAll
  static void start(ControlPlane controlPlane) throws IOException {
    plane = controlPlane;
    client = plane.client();
    certManager = CertManager.start(plane, Files.createTempDirectory(plane.workDir(), "cert-manager"));
  }

  /** Removes what the overlay added (the JVM's other tests register their own webhooks), then cert-manager. */
  @AfterAll
  static void stop() {
    installed.forEach(object -> client.resource(object).delete());
    certManager.close();
  }

  @Test
  void theOverlaysCertificateIsIssuedInjectedAndServedAndItsRenewalsFailNoRequest() throws Exception {
    installed = addedBy(OVERLAY);
    Kubectl.Result applied = plane.kubectl().run("apply", "-k", OVERLAY.toString());
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();

    Await.until("the serving certificate issued", WAIT, () -> secret().getData().keySet()
        .containsAll(List.of("ca.crt", "tls.crt", "tls.key")), () -> certManager.tail(20));
    String ca = decoded(secret(), "ca.crt");
    Await.until("its CA injected into every webhook of both configurations", WAIT,
        () -> caBundles().stream().allMatch(ca::equals), () -> caBundles() + "\n" + certManager.tail(20));

    Path mounted = Files.createTempDirectory(plane.workDir(), "webhook-tls");
    Set<BigInteger> issued = ConcurrentHashMap.newKeySet();
    try (SharedIndexInformer<Secret> kubelet = mount(mounted, issued);
        LocalWebhook webhook = LocalWebhook.startServing(plane, mounted, TestCluster.ROUTABLE)) {
      client.resource(endpointsAt(thisMachine(), webhook.httpsPort())).serverSideApply();
      String ns = plane.newNamespace("cert-manager");
      Await.until("the apiserver calls the webhook through its Service, trusting the injected CA", WAIT,
          () -> defaulted(ns));

      Set<BigInteger> presented = ConcurrentHashMap.newKeySet();
      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicBoolean renewing = new AtomicBoolean(true);
      CompletableFuture<Integer> applies = CompletableFuture.supplyAsync(() -> {
        int succeeded = 0;
        while (renewing.get()) {
          if (defaulted(ns)) {
            succeeded++;
          } else {
            failures.add(Instant.now() + ": " + lastApply);
          }
          presented.add(webhook.presentedCertificate().getSerialNumber());
        }
        return succeeded;
      });

      // a one-minute certificate, renewed 20 s after each issuance: cert-manager reissues for the new duration at
      // once, then renews by itself
      // a merge patch, not an update: cert-manager writes to the Certificate too
      client.resources(Certificate.class).inNamespace(Rbac.NAMESPACE).withName(CERTIFICATE)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"duration\": \"1m\", \"renewBefore\": \"40s\"}}");
      Await.until("a reissue and a renewal served", WAIT, () -> issued.size() >= 3
          && presented.containsAll(issued), () -> "issued " + issued + ", presented " + presented);
      renewing.set(false);

      assertThat(failures).as("applies that failed during the renewals").isEmpty();
      assertThat(applies.get()).as("applies through the renewals").isGreaterThan(10);
      assertThat(caBundles()).as("the CA did not change, and neither did the injected bundle")
          .allMatch(decoded(secret(), "ca.crt")::equals).allMatch(ca::equals);
    }
  }

  /** A server-side dry run of a legacy node: true when the mutating webhook defaulted it to http. */
  private static boolean defaulted(String ns) {
    Kubectl.Result result = plane.kubectl().runWithInput(LEGACY_NODE, "-n", ns, "apply", "--dry-run=server", "-o",
        "jsonpath={.spec.networking}", "-f", "-");
    lastApply = result.toString();
    return result.succeeded() && result.stdout().contains("\"http\"");
  }

  /** The objects {@code kustomization} renders that do not exist yet, but namespaces and CRDs (others share them). */
  private static List<HasMetadata> addedBy(Path kustomization) {
    Kubectl.Result rendered = plane.kubectl().run("kustomize", kustomization.toString());
    assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();
    List<HasMetadata> added = new ArrayList<>();
    for (HasMetadata object : client.load(new ByteArrayInputStream(rendered.stdout()
        .getBytes(StandardCharsets.UTF_8))).items()) {
      if (!(object instanceof Namespace) && !(object instanceof CustomResourceDefinition)
          && client.resource(object).get() == null) {
        added.add(object);
      }
    }
    return added;
  }

  private static Secret secret() {
    return client.secrets().inNamespace(Rbac.NAMESPACE).withName(SECRET).get();
  }

  /** Every webhook's caBundle in both of the overlay's configurations, decoded. */
  private static List<String> caBundles() {
    Stream<String> mutating = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("sei-p2p")
        .get().getWebhooks().stream().map(webhook -> webhook.getClientConfig().getCaBundle());
    Stream<String> validating = client.resources(ValidatingWebhookConfiguration.class).withName("sei-p2p").get()
        .getWebhooks().stream().map(webhook -> webhook.getClientConfig().getCaBundle());
    return Stream.concat(mutating, validating)
        .map(bundle -> bundle == null ? "" : new String(Base64.getDecoder().decode(bundle), StandardCharsets.UTF_8))
        .toList();
  }

  /**
   * What the kubelet does for the webhook's Secret volume: writes the Secret's files whenever it changes, each
   * atomically; {@code issued} collects the serials of the certificates written.
   */
  private static SharedIndexInformer<Secret> mount(Path dir, Set<BigInteger> issued) {
    return client.secrets().inNamespace(Rbac.NAMESPACE).withField("metadata.name", SECRET)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Secret secret) {
            if (secret.getData() == null || !secret.getData().containsKey("tls.crt")) {
              return;
            }
            write(dir.resolve("tls.key"), decoded(secret, "tls.key"));
            write(dir.resolve("tls.crt"), decoded(secret, "tls.crt"));
            issued.add(Pem.certificate(decoded(secret, "tls.crt")).getSerialNumber());
          }

          @Override
          public void onUpdate(Secret before, Secret secret) {
            onAdd(secret);
          }

          @Override
          public void onDelete(Secret secret, boolean finalStateUnknown) {
            // a mounted Secret's files stay while the pod runs
          }
        });
  }

  /** The webhook Service's endpoint: this process, where a pod of the Deployment would be. */
  private static EndpointSlice endpointsAt(String address, int port) {
    return new EndpointSliceBuilder()
        .withNewMetadata().withName("sei-p2p-webhook-local").withNamespace(Rbac.NAMESPACE)
          .addToLabels("kubernetes.io/service-name", "sei-p2p-webhook")
          .addToLabels("endpointslice.kubernetes.io/managed-by", "testbed.sei.io")
        .endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewPort().withName("https").withPort(port).withProtocol("TCP").endPort()
        .build();
  }

  /** An IPv4 address of this machine that is not loopback (endpoints may not be). */
  private static String thisMachine() throws SocketException {
    for (NetworkInterface network : NetworkInterface.networkInterfaces().toList()) {
      if (network.isUp() && !network.isLoopback()) {
        for (InetAddress address : network.inetAddresses().toList()) {
          if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
            return address.getHostAddress();
          }
        }
      }
    }
    throw new IllegalStateException("this machine has no IPv4 address but loopback; the apiserver cannot call a "
        + "webhook Service's endpoint on loopback");
  }

  private static String decoded(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static void write(Path file, String content) {
    try {
      Path temp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
