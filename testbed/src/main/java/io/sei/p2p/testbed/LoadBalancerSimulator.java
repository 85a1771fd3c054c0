package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.resources.P2pService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Plays the AWS Load Balancer Controller for Services annotated {@code aws-load-balancer-type: external}: holds its
 * finalizer, writes {@code ingress[0].hostname} after a delay (stable per Service UID), adds the name to a hosts
 * file after a second delay (its "DNS propagation"), and releases the finalizer on delete; like the real one, it
 * never provisions instance targets without node ports. Tests can make it stay silent for a Service or blank an
 * ingress transiently. Test and local-run code only; {@code AwsLoadBalancerControllerIT} runs the real one.
 */
public final class LoadBalancerSimulator implements AutoCloseable {

  public static final String FINALIZER = "service.k8s.aws/resources";

  private final KubernetesClient client;
  private final HostsFile hosts;
  private final Duration ingressDelay;
  private final Duration dnsDelay;
  // a few threads, like the real controller's workers: a fleet's load balancers are provisioned side by side
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, r -> {
    Thread thread = new Thread(r, "lb-simulator");
    thread.setDaemon(true);
    return thread;
  });
  private final Set<String> silent = ConcurrentHashMap.newKeySet();
  private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> rebuilds = new ConcurrentHashMap<>();
  private final Set<String> heldDns = ConcurrentHashMap.newKeySet();
  private final SharedIndexInformer<Service> informer;
  private final AtomicReference<Instant> lastAssigned = new AtomicReference<>();

  private LoadBalancerSimulator(KubernetesClient client, HostsFile hosts, Duration ingressDelay, Duration dnsDelay) {
    this.client = client;
    this.hosts = hosts;
    this.ingressDelay = ingressDelay;
    this.dnsDelay = dnsDelay;
    this.informer = client.services().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Service service) {
        observe(service);
      }

      @Override
      public void onUpdate(Service old, Service service) {
        observe(service);
      }

      @Override
      public void onDelete(Service service, boolean finalStateUnknown) {
        scheduler.execute(() -> removeHost(service));
      }
    });
  }

  public static LoadBalancerSimulator start(KubernetesClient client, HostsFile hosts, Duration ingressDelay,
      Duration dnsDelay) {
    return new LoadBalancerSimulator(client, hosts, ingressDelay, dnsDelay);
  }

  /** The name this simulator gives a Service's NLB: stable per Service UID, like the real one. */
  public static String hostnameOf(Service service) {
    return hostnameOf(service, 0);
  }

  /** The name of the NLB after it was recreated {@code rebuilds} times (each one gets a new name). */
  private static String hostnameOf(Service service, int rebuilds) {
    String identity = service.getMetadata().getUid() + (rebuilds == 0 ? "" : "/" + rebuilds);
    return "k8s-" + prefix(service.getMetadata().getNamespace()) + "-" + prefix(service.getMetadata().getName())
        + "-" + sha256(identity).substring(0, 16) + ".elb.us-east-2.amazonaws.com";
  }

  /** When it last gave a Service its ingress (null: never). */
  public Instant lastAssigned() {
    return lastAssigned.get();
  }

  /** Stop answering for a Service (no ingress) until {@link #speak}. */
  public void silence(String namespace, String name) {
    silent.add(namespace + "/" + name);
  }

  public void speak(String namespace, String name) {
    silent.remove(namespace + "/" + name);
    Service service = client.services().inNamespace(namespace).withName(name).get();
    if (service != null) {
      observe(service);
    }
  }

  /**
   * The NLB is deleted and created again (say, by hand in the AWS console): its old name leaves DNS at once, and the
   * Service gets a new name after the ingress delay, which enters DNS after the DNS delay.
   */
  public void recreate(String namespace, String name) {
    Service service = client.services().inNamespace(namespace).withName(name).get();
    rebuilds.merge(service.getMetadata().getUid(), 1, Integer::sum);
    removeHost(service);
    scheduler.schedule(() -> assignIngress(service), ingressDelay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The NLB's name stays out of DNS until {@link #releaseDns}: a slow propagation. */
  public void holdDns(String namespace, String name) {
    heldDns.add(namespace + "/" + name);
  }

  /** The held name enters DNS now. */
  public void releaseDns(String namespace, String name) {
    heldDns.remove(namespace + "/" + name);
    Service service = client.services().inNamespace(namespace).withName(name).get();
    addHost(service.getMetadata().getUid(), hostnameNow(service));
  }

  /** The NLB's name leaves DNS (the load balancer stays): a transient DNS failure. */
  public void forgetDns(String namespace, String name) {
    removeHost(client.services().inNamespace(namespace).withName(name).get());
  }

  /** The name the Service's NLB has now. */
  public String hostnameNow(Service service) {
    return hostnameOf(service, rebuilds.getOrDefault(service.getMetadata().getUid(), 0));
  }

  /** Empties a Service's ingress for {@code duration}, then restores it: a transient read of nothing. */
  public void blankIngress(String namespace, String name, Duration duration) {
    Service service = client.services().inNamespace(namespace).withName(name).get();
    client.services().inNamespace(namespace).withName(name).editStatus(s -> {
      s.getStatus().getLoadBalancer().setIngress(List.of());
      return s;
    });
    scheduler.schedule(() -> assignIngress(service), duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    informer.close();
    scheduler.shutdownNow();
  }

  private void observe(Service service) {
    Map<String, String> annotations = service.getMetadata().getAnnotations();
    if (annotations == null || !"external".equals(annotations.get(P2pService.TYPE))) {
      return;
    }
    String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    if (service.getMetadata().getDeletionTimestamp() != null) {
      scheduler.execute(() -> release(service));
      return;
    }
    if (!service.getMetadata().getFinalizers().contains(FINALIZER)) {
      scheduler.execute(() -> holdFinalizer(service));
    }
    boolean hasIngress = service.getStatus() != null && service.getStatus().getLoadBalancer() != null
        && service.getStatus().getLoadBalancer().getIngress() != null
        && !service.getStatus().getLoadBalancer().getIngress().isEmpty();
    if (!hasIngress && !silent.contains(key) && buildable(service) && scheduled.add(service.getMetadata().getUid())) {
      scheduler.schedule(() -> assignIngress(service), ingressDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * What the real controller refuses, this one refuses too ("unable to support instance target type with an
   * unallocated NodePort"): such a Service never gets an address.
   */
  private static boolean buildable(Service service) {
    boolean instanceTargets = NlbTargetType.INSTANCE.annotationValue()
        .equals(service.getMetadata().getAnnotations().get(P2pService.TARGET_TYPE));
    return !(instanceTargets && Boolean.FALSE.equals(service.getSpec().getAllocateLoadBalancerNodePorts()));
  }

  private void holdFinalizer(Service service) {
    attempt(() -> client.services().inNamespace(service.getMetadata().getNamespace())
        .withName(service.getMetadata().getName()).edit(s -> {
          if (!s.getMetadata().getFinalizers().contains(FINALIZER)) {
            s.getMetadata().getFinalizers().add(FINALIZER);
          }
          return s;
        }));
  }

  private void assignIngress(Service service) {
    scheduled.remove(service.getMetadata().getUid());
    if (silent.contains(service.getMetadata().getNamespace() + "/" + service.getMetadata().getName())) {
      return;
    }
    String hostname = hostnameNow(service);
    attempt(() -> {
      client.services().inNamespace(service.getMetadata().getNamespace())
          .withName(service.getMetadata().getName()).editStatus(s -> {
            s.getStatus().getLoadBalancer().setIngress(List.of(new LoadBalancerIngressBuilder()
                .withHostname(hostname).build()));
            return s;
          });
      lastAssigned.set(Instant.now());
      if (!heldDns.contains(service.getMetadata().getNamespace() + "/" + service.getMetadata().getName())) {
        scheduler.schedule(() -> addHost(service.getMetadata().getUid(), hostname), dnsDelay.toMillis(),
            TimeUnit.MILLISECONDS);
      }
    });
  }

  private void release(Service service) {
    removeHost(service);
    attempt(() -> client.services().inNamespace(service.getMetadata().getNamespace())
        .withName(service.getMetadata().getName()).edit(s -> {
          s.getMetadata().getFinalizers().remove(FINALIZER);
          return s;
        }));
  }

  private void addHost(String uid, String hostname) {
    hosts.put(uid, hostname);
  }

  private void removeHost(Service service) {
    hosts.remove(service.getMetadata().getUid());
  }

  /**
   * Runs {@code step}; a Service that is gone (or changed meanwhile: the informer brings it again) ends it, any other
   * failure (the apiserver away, say) is tried again a second later, as the real controller's work queue does.
   */
  private void attempt(Runnable step) {
    try {
      step.run();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409 && !scheduler.isShutdown()) {
        scheduler.schedule(() -> attempt(step), 1, TimeUnit.SECONDS);
      }
    }
  }

  private static String prefix(String text) {
    return text.length() <= 8 ? text : text.substring(0, 8);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
