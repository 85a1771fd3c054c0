package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.SeidSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults around the controller: quotas, recreated load balancers, blank reads, DNS that goes away, writes refused.
 */
class FaultsIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofSeconds(1), Duration.ofSeconds(2));

  /** A quota denial is retried for as long as it lasts, shown on the node, and heals by itself. */
  @Test
  void aLoadBalancerQuotaHoldsOneNodeSaysWhyAndLetsGoWhenRaised() throws Exception {
    String ns = cluster.plane().newNamespace("quota");
    cluster.client().resource(quota(ns, 2)).create();
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.deployment("fleet", "", 3, "networking: {tcp: {}}", ""));

      Await.until("one node held by the quota", WAIT, () -> held(ns).size() == 1);
      String node = held(ns).get(0);
      Condition synced = cluster.condition(ns, node, "Synced");
      assertThat(synced.getStatus()).isEqualTo("False");
      assertThat(synced.getMessage()).contains("services \"" + node + "-p2p\" is forbidden: exceeded quota: lb")
          .contains("limited: services.loadbalancers=2");
      assertThat(synced.getObservedGeneration()).isEqualTo(cluster.node(ns, node).getMetadata().getGeneration());
      Await.until("a Warning Event", WAIT, () -> cluster.events(ns, node).contains("ServiceApplyFailed"));
      assertThat(cluster.events(ns, node).split("ServiceApplyFailed", -1)).as("one Event per distinct failure")
          .hasSize(2);

      // held longer than a bounded retry would keep trying (JOSDK's default gives up after 5 attempts in ~10 s)
      Thread.sleep(45_000);
      assertThat(cluster.reason(ns, node, "Synced")).as("still failing, still retried").isEqualTo("ServiceApplyFailed");
      cluster.client().resource(quota(ns, 3)).update();

      Await.until("converged by itself", WAIT, () -> "Synced".equals(cluster.reason(ns, node, "Synced"))
          && cluster.statefulSet(ns, node) != null);
    }
  }

  /**
   * A recreated NLB has a new name: the node moves to it with one restart, once the name resolves; a node that
   * peers with it gets the new address in its config without a restart.
   */
  @Test
  void aRecreatedLoadBalancerRollsItsNodeOnceAndNotItsPeers() {
    String ns = cluster.plane().newNamespace("recreated");
    try (PodStarts pods = new PodStarts(cluster.client(), ns);
        Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.deployment("fleet", "sei.io/role: mesh", 2, "networking: {tcp: {}}",
          "peers: [{seinodeDeployment: {selector: {sei.io/role: mesh}}}]"));
      Await.until("both running", WAIT, () -> running(ns, "fleet-0") && running(ns, "fleet-1"));
      String before = cluster.node(ns, "fleet-0").getStatus().externalAddress();
      assertThat(pods.uids().get("fleet-0-0")).as("fleet-0 started once before its NLB was recreated").hasSize(1);
      String peerTemplateHash = templateHash(ns, "fleet-1");

      cluster.simulator().recreate(ns, "fleet-0-p2p");

      String after = cluster.simulator().hostnameNow(cluster.service(ns, "fleet-0-p2p")) + ":26656";
      assertThat(after).isNotEqualTo(before);
      Await.until("the new address published", WAIT,
          () -> after.equals(cluster.node(ns, "fleet-0").getStatus().externalAddress()));
      assertThat(cluster.events(ns, "fleet-0").split("WaitingForDNS", -1))
          .as("it waited for the new name to resolve, as for its first start").hasSize(3);
      Await.until("fleet-0 restarted onto it", WAIT, () -> pods.uids().get("fleet-0-0").size() >= 2
          && running(ns, "fleet-0"), () -> rollout(ns, "fleet-0", pods));
      Await.until("fleet-1's config follows", WAIT, () -> cluster.configMap(ns, "fleet-1").getData()
          .get(SeidSettings.CONFIG_TOML).contains("@" + after));
      assertThat(cluster.configMap(ns, "fleet-0").getData().get(SeidSettings.CONFIG_TOML))
          .contains("external-address = \"" + after + "\"");
      assertThat(cluster.statefulSet(ns, "fleet-0").getMetadata().getGeneration()).as("one template change")
          .isEqualTo(2L);
      assertThat(pods.uids().get("fleet-0-0")).as("fleet-0 restarted exactly once").hasSize(2);
      assertThat(pods.uids().get("fleet-1-0")).as("fleet-1 never restarted").hasSize(1);
      // and it is not about to: its template never changed, only the config its next start reads
      assertThat(cluster.statefulSet(ns, "fleet-1").getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(templateHash(ns, "fleet-1")).isEqualTo(peerTemplateHash);
    }
  }

  /** The config hash in {@code node}'s pod template: what restarts its pod when it changes. */
  private static String templateHash(String ns, String node) {
    return cluster.statefulSet(ns, node).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(WellKnown.ANNOTATION_CONFIG_HASH);
  }

  /** An ingress read as empty for 30 s never unpublishes a node, though the controller saw it. */
  @Test
  void aLongBlankIngressKeepsTheAddress() throws Exception {
    String ns = cluster.plane().newNamespace("blank");
    try (PodStarts pods = new PodStarts(cluster.client(), ns);
        Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.fullNode("steady", "networking: {tcp: {}}"));
      Await.until("running", WAIT, () -> running(ns, "steady"));
      String address = cluster.node(ns, "steady").getStatus().externalAddress();
      int reconciles = TestCluster.reconciles(controller, "SeiNode");

      cluster.simulator().blankIngress(ns, "steady-p2p", Duration.ofSeconds(30));
      Await.until("the ingress reads empty", WAIT, () -> cluster.service(ns, "steady-p2p").getStatus()
          .getLoadBalancer().getIngress().isEmpty());
      Await.until("the controller reconciled the empty read", WAIT,
          () -> TestCluster.reconciles(controller, "SeiNode") > reconciles);
      assertThat(cluster.node(ns, "steady").getStatus().externalAddress()).isEqualTo(address);
      assertThat(cluster.reason(ns, "steady", "Published")).isEqualTo("Published");
      Await.until("the ingress back", WAIT, () -> !cluster.service(ns, "steady-p2p").getStatus()
          .getLoadBalancer().getIngress().isEmpty());
      assertThat(cluster.node(ns, "steady").getStatus().externalAddress()).isEqualTo(address);
      assertThat(pods.restarts()).isZero();
    }
  }

  /** A name that leaves DNS after its node started changes nothing: the node never waits for DNS again. */
  @Test
  void aNameLeavingDnsAfterTheStartChangesNothing() {
    String ns = cluster.plane().newNamespace("dns-gone");
    try (PodStarts pods = new PodStarts(cluster.client(), ns);
        Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.fullNode("resolved", "networking: {tcp: {}}"));
      Await.until("running", WAIT, () -> running(ns, "resolved"));
      String address = cluster.node(ns, "resolved").getStatus().externalAddress();

      cluster.simulator().forgetDns(ns, "resolved-p2p");
      int reconciles = TestCluster.reconciles(controller, "SeiNode");
      // a change to one of its objects makes the controller look at the node again
      assertThat(cluster.plane().kubectl().run("-n", ns, "annotate", "service", "resolved", "touched=yes").succeeded()).isTrue();

      Await.until("the controller reconciled it", WAIT,
          () -> TestCluster.reconciles(controller, "SeiNode") > reconciles);
      assertThat(cluster.reason(ns, "resolved", "Published")).isEqualTo("Published");
      assertThat(cluster.node(ns, "resolved").getStatus().externalAddress()).isEqualTo(address);
      assertThat(pods.restarts()).isZero();
    }
  }

  /** New peers that cannot be written leave the previous resolution in place, say why, and catch up. */
  @Test
  void peersThatCannotBeWrittenLeaveThePreviousResolutionUntilTheyCanBe() {
    String ns = cluster.plane().newNamespace("frozen");
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.deployment("producers", "sei.io/role: producer", 1, "networking: {tcp: {}}", ""));
      cluster.apply(ns, Manifests.fullNode("reader", "peers: [{seinodeDeployment: {selector: {sei.io/role: producer}}}]"));
      Await.until("reader peers with producers-0", WAIT, () -> cluster.node(ns, "producers-0") != null
          && cluster.node(ns, "producers-0").getStatus().externalAddress() != null
          && List.of(cluster.node(ns, "producers-0").getStatus().externalAddress()).equals(resolved(ns, "reader")));
      List<String> previous = resolved(ns, "reader");
      String config = cluster.configMap(ns, "reader").getData().get(SeidSettings.CONFIG_TOML);

      freezeConfigMaps(ns);
      cluster.apply(ns, Manifests.deployment("producers", "sei.io/role: producer", 2, "networking: {tcp: {}}", ""));

      Await.until("the config write refused, and said so", WAIT,
          () -> "ConfigMapApplyFailed".equals(cluster.reason(ns, "reader", "Synced")));
      assertThat(cluster.condition(ns, "reader", "Synced").getMessage()).contains("peer configs are frozen here");
      assertThat(resolved(ns, "reader")).as("the previous resolution kept").isEqualTo(previous);
      assertThat(cluster.configMap(ns, "reader").getData().get(SeidSettings.CONFIG_TOML)).isEqualTo(config);

      cluster.client().resources(ValidatingAdmissionPolicyBinding.class).withName("frozen-" + ns).delete();
      SeiNode producer1 = cluster.node(ns, "producers-1");
      assertThat(producer1.getStatus().externalAddress()).as("published while reader was refused").isNotNull();
      Await.until("caught up once it may write", WAIT, () -> "Synced".equals(cluster.reason(ns, "reader", "Synced"))
          && resolved(ns, "reader").contains(producer1.getStatus().externalAddress()));
      assertThat(cluster.configMap(ns, "reader").getData().get(SeidSettings.CONFIG_TOML))
          .contains(producer1.getStatus().nodeId() + "@" + producer1.getStatus().externalAddress());
    }
  }

  /** A ValidatingAdmissionPolicy that refuses every ConfigMap update in {@code ns}; returns once it is in force. */
  private static void freezeConfigMaps(String ns) {
    cluster.apply(ns, """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: frozen-%1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %1$s}}
            resourceRules:
            - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [configmaps]}
          validations:
          - {expression: "false", message: "peer configs are frozen here"}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: frozen-%1$s}
        spec: {policyName: frozen-%1$s, validationActions: [Deny]}
        """.formatted(ns));
    assertThat(cluster.plane().kubectl().run("-n", ns, "create", "configmap", "probe").succeeded()).isTrue();
    // the apiserver loads policies asynchronously
    Await.until("the policy in force", WAIT, () -> cluster.plane().kubectl().run("-n", ns, "annotate", "--overwrite",
        "configmap", "probe", "at=" + System.nanoTime()).stderr().contains("peer configs are frozen here"));
  }

  private static List<String> resolved(String ns, String node) {
    List<String> peers = cluster.node(ns, node).getStatus().resolvedPeers();
    return peers == null ? List.of() : peers;
  }

  private static ResourceQuota quota(String ns, int loadBalancers) {
    return new ResourceQuotaBuilder().withNewMetadata().withName("lb").withNamespace(ns).endMetadata()
        .withNewSpec().addToHard("services.loadbalancers", new Quantity(Integer.toString(loadBalancers))).endSpec()
        .build();
  }

  private static List<String> held(String ns) {
    return List.of("fleet-0", "fleet-1", "fleet-2").stream()
        .filter(node -> "ServiceApplyFailed".equals(cluster.reason(ns, node, "Synced"))).toList();
  }

  /** What a node's rollout looks like now: its pod UIDs so far, the pod's phase, the StatefulSet's revisions. */
  private static String rollout(String ns, String node, PodStarts pods) {
    Pod pod = cluster.pod(ns, node);
    StatefulSet statefulSet = cluster.statefulSet(ns, node);
    return "pod UIDs " + pods.uids().get(WellKnown.podName(node))
        + ", pod " + (pod == null ? "absent" : pod.getMetadata().getUid() + " " + pod.getStatus().getPhase()
            + (pod.getMetadata().getDeletionTimestamp() == null ? "" : " deleting"))
        + ", StatefulSet " + (statefulSet == null ? "absent" : "generation " + statefulSet.getMetadata().getGeneration()
            + " status " + statefulSet.getStatus());
  }

  private static boolean running(String ns, String node) {
    return cluster.pod(ns, node) != null && "Running".equals(cluster.pod(ns, node).getStatus().getPhase())
        && Objects.equals(cluster.pod(ns, node).getMetadata().getDeletionTimestamp(), null);
  }
}
