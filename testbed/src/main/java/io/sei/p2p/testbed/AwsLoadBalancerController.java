package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sei.p2p.certs.IssuedCertificate;
import io.sei.p2p.resources.P2pService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real AWS Load Balancer Controller, against moto, for the Services of one namespace: it provisions their NLBs
 * in moto and writes their names to the Services; this class adds each name to the hosts file the controller
 * resolves from (moto's names are in no DNS), and removes it when its Service is gone.
 */
public final class AwsLoadBalancerController implements AutoCloseable {

  public static final String CLUSTER_NAME = "sei-p2p-local";

  private final Moto moto;
  private final LocalProcess process;
  private final SharedIndexInformer<Service> names;

  private AwsLoadBalancerController(Moto moto, LocalProcess process, SharedIndexInformer<Service> names) {
    this.moto = moto;
    this.process = process;
    this.names = names;
  }

  /**
   * Installs the load balancer controller's CRDs, starts moto (seeded with a VPC) and the load balancer controller
   * watching {@code namespace}, its logs in {@code workDir}.
   */
  public static AwsLoadBalancerController start(ControlPlane plane, String namespace, HostsFile hosts, Path workDir)
      throws IOException, InterruptedException {
    ControlPlaneBinaries binaries = ControlPlaneBinaries.locate("aws-load-balancer-controller", "moto");
    Kubectl.Result crds = plane.kubectl().run("apply", "--server-side", "-f",
        binaries.awsLoadBalancerControllerCrds().toString());
    if (!crds.succeeded()) {
      throw new IllegalStateException("could not install the load balancer controller's CRDs: " + crds);
    }
    Moto moto = Moto.start(binaries.motoServer(), workDir.resolve("moto.log"));
    try {
      String vpc = moto.seedVpc(CLUSTER_NAME);
      // its webhook server always starts, though nothing here registers it
      IssuedCertificate serving = plane.certificateAuthority().issueServing("aws-load-balancer-webhook",
          List.of("127.0.0.1"), Duration.ofDays(1));
      Path certs = Files.createDirectories(workDir.resolve("aws-load-balancer-controller-tls"));
      Files.writeString(certs.resolve("tls.crt"), serving.certificatePem());
      Files.writeString(certs.resolve("tls.key"), serving.privateKeyPem());
      Map<String, String> env = new HashMap<>(Moto.CREDENTIALS);
      env.put("AWS_ENDPOINT_URL", moto.endpoint());
      LocalProcess process = LocalProcess.start("aws-load-balancer-controller", List.of(
          binaries.awsLoadBalancerController().toString(),
          "--kubeconfig=" + plane.kubeconfig(), // it does not read KUBECONFIG
          "--cluster-name=" + CLUSTER_NAME, "--aws-region=" + Moto.REGION, "--aws-vpc-id=" + vpc,
          "--watch-namespace=" + namespace,
          "--enable-shield=false", "--enable-waf=false", "--enable-wafv2=false", // moto has no Shield or WAF
          "--enable-leader-election=false",
          "--webhook-cert-dir=" + certs, "--webhook-bind-port=" + FreePort.next(),
          "--metrics-bind-addr=127.0.0.1:" + FreePort.next(),
          "--health-probe-bind-addr=127.0.0.1:" + FreePort.next()),
          env, workDir.resolve("aws-load-balancer-controller.log"));
      return new AwsLoadBalancerController(moto, process, resolveNames(plane, namespace, hosts));
    } catch (RuntimeException | IOException e) {
      moto.close();
      throw e;
    }
  }

  public Moto moto() {
    return moto;
  }

  /** Whether the load balancer controller still runs (it exits on a fatal configuration error). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its last log lines, for a failure message. */
  public String tail(int lines) {
    return process.tail(lines);
  }

  @Override
  public void close() {
    names.close();
    process.close();
    moto.close();
  }

  private static SharedIndexInformer<Service> resolveNames(ControlPlane plane, String namespace, HostsFile hosts) {
    return plane.client().services().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Service service) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        if (annotations == null || !"external".equals(annotations.get(P2pService.TYPE))
            || service.getStatus() == null || service.getStatus().getLoadBalancer() == null) {
          return;
        }
        List<LoadBalancerIngress> ingress = service.getStatus().getLoadBalancer().getIngress();
        if (ingress != null && !ingress.isEmpty() && ingress.get(0).getHostname() != null) {
          hosts.put(service.getMetadata().getUid(), ingress.get(0).getHostname());
        }
      }

      @Override
      public void onUpdate(Service before, Service service) {
        onAdd(service);
      }

      @Override
      public void onDelete(Service service, boolean finalStateUnknown) {
        hosts.remove(service.getMetadata().getUid());
      }
    });
  }
}
