package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.P2pService;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The controller's Services as the real AWS Load Balancer Controller reads them (against moto): NLBs of the type,
 * scheme, targets, listener and attributes the spec asks for, published and started through their real names.
 */
class AwsLoadBalancerControllerIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  @RegisterExtension
  static final TestCluster cluster = TestCluster.withoutSimulator();
  private AwsLoadBalancerController loadBalancers;

  @AfterEach
  void stopLoadBalancers() {
    if (loadBalancers != null) {
      loadBalancers.close();
    }
  }

  @Test
  void ipTargetsGetAnInternetFacingNlbWhoseNameIsPublishedAndOptingOutDeletesIt() throws Exception {
    String ns = namespaceWithLoadBalancers("lbc-ip");
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.fullNode("edge", "networking: {tcp: {}}"));

      Moto.LoadBalancer nlb = startedBehind(ns, "edge");
      Moto.TargetGroup targets = onlyTargetGroup(nlb);
      assertThat(targets.targetType()).isEqualTo("ip");
      assertThat(targets.port()).isEqualTo(WellKnown.P2P_PORT);
      assertThat(cluster.service(ns, "edge-p2p").getMetadata().getFinalizers())
          .contains(LoadBalancerSimulator.FINALIZER);

      cluster.apply(ns, Manifests.fullNode("edge", "networking: {http: {}}"));

      Await.until("the NLB deleted in moto", WAIT, () -> loadBalancers.moto().loadBalancers().isEmpty(),
          () -> loadBalancers.tail(20));
      Await.until("the Service gone (the load balancer controller released its finalizer)", WAIT,
          () -> cluster.service(ns, "edge-p2p") == null);
      Await.until("the address cleared", WAIT, () -> cluster.node(ns, "edge").getStatus().externalAddress() == null);
    }
  }

  @Test
  void instanceTargetsGetTheirNlbOnTheNodePort() throws Exception {
    String ns = namespaceWithLoadBalancers("lbc-instance");
    Map<String, String> env = new HashMap<>(TestCluster.ROUTABLE);
    env.put("SEI_NLB_TARGET_TYPE", "instance");
    try (Controller controller = cluster.controller(ns, env)) {
      cluster.apply(ns, Manifests.fullNode("edge", "networking: {tcp: {}}"));

      Moto.LoadBalancer nlb = startedBehind(ns, "edge");
      Moto.TargetGroup targets = onlyTargetGroup(nlb);
      assertThat(targets.targetType()).isEqualTo("instance");
      assertThat(targets.port()).as("instance targets receive on the node port")
          .isEqualTo(cluster.service(ns, "edge-p2p").getSpec().getPorts().get(0).getNodePort());
    }
  }

  @Test
  void anExistingServiceKeepsItsNlbWhenTheTargetTypeSettingChanges() throws Exception {
    String ns = namespaceWithLoadBalancers("lbc-kept");
    Moto.LoadBalancer nlb;
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.fullNode("edge", "networking: {tcp: {}}"));
      nlb = startedBehind(ns, "edge");
    }
    Map<String, String> env = new HashMap<>(TestCluster.ROUTABLE);
    env.put("SEI_NLB_TARGET_TYPE", "instance");
    try (Controller controller = cluster.controller(ns, env)) {
      Await.until("the kept setting reported", WAIT, () -> "KeptExisting".equals(cluster.reason(ns, "edge",
          "LoadBalancerSettings")));
      assertThat(cluster.service(ns, "edge-p2p").getMetadata().getAnnotations())
          .containsEntry(P2pService.TARGET_TYPE, "ip").containsEntry(P2pService.SCHEME, "internet-facing");
      assertThat(loadBalancers.moto().loadBalancers()).as("the same NLB, untouched").containsExactly(nlb);
      assertThat(onlyTargetGroup(nlb).targetType()).isEqualTo("ip");
    }
  }

  /** A fresh namespace that a fresh load balancer controller (and moto) watches. */
  private String namespaceWithLoadBalancers(String prefix) throws Exception {
    String ns = cluster.plane().newNamespace(prefix);
    loadBalancers = AwsLoadBalancerController.start(cluster.plane(), ns, HostsFile.ofThisJvm(),
        Files.createTempDirectory(cluster.plane().workDir(), prefix));
    return ns;
  }

  /**
   * Waits until the node runs, then checks what the spec asks of its NLB in moto, that the Service carries the NLB's
   * name, and that the node published that name; returns the NLB.
   */
  private Moto.LoadBalancer startedBehind(String ns, String node) {
    Await.until(node + " running", WAIT, () -> "Running".equals(cluster.pod(ns, node).getStatus().getPhase()),
        () -> "node status " + cluster.node(ns, node).getStatus() + "; load balancer controller: "
            + (loadBalancers.isAlive() ? "running" : "exited") + ", last lines:\n" + loadBalancers.tail(20));
    Service service = cluster.service(ns, WellKnown.p2pServiceName(node));
    String hostname = service.getStatus().getLoadBalancer().getIngress().get(0).getHostname();
    assertThat(cluster.node(ns, node).getStatus().externalAddress()).isEqualTo(hostname + ":" + WellKnown.P2P_PORT);
    List<Moto.LoadBalancer> nlbs = loadBalancers.moto().loadBalancers();
    assertThat(nlbs).hasSize(1);
    Moto.LoadBalancer nlb = nlbs.get(0);
    assertThat(nlb.dnsName()).isEqualTo(hostname);
    assertThat(nlb.type()).isEqualTo("network");
    assertThat(nlb.scheme()).isEqualTo("internet-facing");
    assertThat(loadBalancers.moto().listeners(nlb.arn()))
        .containsExactly(new Moto.Listener("TCP", WellKnown.P2P_PORT));
    assertThat(loadBalancers.moto().attributes(nlb.arn()))
        .containsEntry("load_balancing.cross_zone.enabled", "true");
    return nlb;
  }

  private Moto.TargetGroup onlyTargetGroup(Moto.LoadBalancer nlb) {
    List<Moto.TargetGroup> groups = loadBalancers.moto().targetGroups(nlb.arn());
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0).protocol()).isEqualTo("TCP");
    return groups.get(0);
  }
}
