package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.resources.P2pService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each outcome of publishing one node, from its objects in memory: no apiserver, no load balancer, no DNS. */
class PublisherTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final ControllerConfig ROUTABLE = ControllerConfig.fromEnv(Map.of("SEI_VPC_CIDR", "10.0.0.0/16"));
  private static final SeiNodeStatus NEW = new SeiNodeStatus(null, null, null, null, null, List.of());
  private static final String NLB = "k8s-ns-rpc0p2p-0123456789.elb.us-east-2.amazonaws.com";

  private final Set<String> resolving = new HashSet<>();
  private final SeiNode node = node("networking: {tcp: {}}");
  private final MemoryStore store = new MemoryStore(node);

  @Test
  void aNodeWithoutTcpHasNothingToPublishAndMayStart() {
    SeiNode http = node("networking: {http: {}}");

    Publisher.Outcome outcome = publisher(ROUTABLE, new MemoryStore(http)).publish(http, NEW, false, NOW);

    assertThat(outcome).isEqualTo(new Publisher.Outcome(null, false, true, "TCPDisabled", "networking.tcp is not set",
        null, null));
  }

  @Test
  void tcpRemovedDeletesOnlyItsOwnServiceAndKeepsTheAddressUntilItIsGone() {
    SeiNode http = node("networking: {http: {}}");
    MemoryStore ours = new MemoryStore(http);
    ours.ensure(P2pService.desired(http, ROUTABLE.targetType(), null));
    ours.writes.clear();
    SeiNodeStatus published = new SeiNodeStatus(NLB + ":26656", null, null, null, 1L, List.of());

    Publisher.Outcome outcome = publisher(ROUTABLE, ours).publish(http, published, true, NOW);

    assertThat(ours.writes).containsExactly("delete Service rpc-0-p2p");
    assertThat(outcome.address()).as("kept while its NLB is deleted").isEqualTo(NLB + ":26656");
    assertThat(outcome.reason()).isEqualTo("TCPDisabled");
    assertThat(outcome.message()).isEqualTo("networking.tcp was removed; deleting Service rpc-0-p2p");

    Service someoneElses = P2pService.desired(http, ROUTABLE.targetType(), null);
    MemoryStore theirs = new MemoryStore(http).with(someoneElses);
    Publisher.Outcome notOurs = publisher(ROUTABLE, theirs).publish(http, published, true, NOW);
    assertThat(theirs.writes).as("a Service without this node's controller reference is never deleted").isEmpty();
    assertThat(notOurs.address()).isNull();
  }

  @Test
  void aClusterThatCannotPublishCreatesNoServiceKeepsTheAddressAndLooksAgain() {
    ControllerConfig unset = ControllerConfig.fromEnv(Map.of("SEI_NOT_ROUTABLE_RECHECK_SECONDS", "7"));
    SeiNodeStatus published = new SeiNodeStatus(NLB + ":26656", null, null, null, 1L, List.of());

    Publisher.Outcome outcome = publisher(unset, store).publish(node, published, true, NOW);

    assertThat(store.writes).isEmpty();
    assertThat(outcome).isEqualTo(new Publisher.Outcome(NLB + ":26656", false, false, "NotRoutable",
        "this cluster cannot publish: SEI_VPC_CIDR is not configured", Duration.ofSeconds(7), null));
  }

  @Test
  void aPodIpOutsideTheVpcCidrCannotBePublished() {
    store.with(new PodBuilder().withNewMetadata().withName("rpc-0-0").withNamespace("ns").endMetadata()
        .withNewStatus().withPodIP("192.168.1.5").endStatus().build());

    Publisher.Outcome outcome = publisher(ROUTABLE, store).publish(node, NEW, false, NOW);

    assertThat(outcome.reason()).isEqualTo("NotRoutable");
    assertThat(outcome.message()).contains("192.168.1.5").contains("10.0.0.0/16");
    assertThat(store.writes).isEmpty();
  }

  @Test
  void aNewServiceWaitsForItsLoadBalancer() {
    Publisher.Outcome outcome = publisher(ROUTABLE, store).publish(node, NEW, false, NOW);

    assertThat(store.writes).containsExactly("create Service rpc-0-p2p");
    assertThat(outcome).isEqualTo(new Publisher.Outcome(null, false, false, "LoadBalancerPending",
        "waiting for the AWS Load Balancer Controller to provision Service rpc-0-p2p", null, Map.of()));
  }

  @Test
  void anAddressThatDoesNotResolveYetIsPublishedButHoldsTheStart() {
    provisioned(NLB);

    Publisher.Outcome outcome = publisher(ROUTABLE, store).publish(node, NEW, false, NOW);

    assertThat(outcome.address()).isEqualTo(NLB + ":26656");
    assertThat(outcome.published()).isFalse();
    assertThat(outcome.mayStart()).isFalse();
    assertThat(outcome.reason()).isEqualTo("WaitingForDNS");
    assertThat(outcome.recheck()).isPositive();
  }

  @Test
  void anAddressThatResolvesIsPublishedAndTheNodeMayStart() {
    provisioned(NLB);
    resolving.add(NLB);

    Publisher.Outcome outcome = publisher(ROUTABLE, store).publish(node, NEW, false, NOW);

    assertThat(outcome).isEqualTo(new Publisher.Outcome(NLB + ":26656", true, true, "Published",
        "published as " + NLB + ":26656", null, Map.of()));
    assertThat(store.writes).as("the Service once, at creation").containsExactly("create Service rpc-0-p2p");
  }

  @Test
  void aRecreatedLoadBalancerMovesARunningNodeOnlyOnceItsNewNameResolves() {
    String recreated = "k8s-ns-rpc0p2p-9876543210.elb.us-east-2.amazonaws.com";
    provisioned(recreated);
    resolving.add(NLB);
    SeiNodeStatus running = new SeiNodeStatus(NLB + ":26656", null, null, null, 1L, List.of());

    Publisher.Outcome waiting = publisher(ROUTABLE, store).publish(node, running, true, NOW);

    assertThat(waiting.address()).as("the old name, until the new one resolves").isEqualTo(NLB + ":26656");
    assertThat(waiting.mayStart()).as("the running StatefulSet stays").isTrue();
    assertThat(waiting.reason()).isEqualTo("WaitingForDNS");
    assertThat(waiting.message()).contains(recreated);

    resolving.add(recreated);
    Publisher.Outcome moved = publisher(ROUTABLE, store).publish(node, running, true, NOW);
    assertThat(moved.address()).isEqualTo(recreated + ":26656");
    assertThat(moved.reason()).isEqualTo("Published");
  }

  @Test
  void aServiceThatKeepsOtherLoadBalancerSettingsSaysWhich() {
    Service instance = P2pService.desired(node, ControllerConfig.fromEnv(Map.of("SEI_NLB_TARGET_TYPE", "instance"))
        .targetType(), null);
    store.ensure(instance);

    Publisher.Outcome outcome = publisher(ROUTABLE, store).publish(node, NEW, false, NOW);

    assertThat(outcome.keptSettings()).containsEntry(P2pService.TARGET_TYPE, "instance");
    assertThat(outcome.conditions(List.of(), node, NOW)).anySatisfy(condition -> {
      assertThat(condition.getType()).isEqualTo(ConditionType.LOAD_BALANCER_SETTINGS);
      assertThat(condition.getReason()).isEqualTo("KeptExisting");
    });
  }

  private Publisher publisher(ControllerConfig config, MemoryStore objects) {
    return new Publisher(config, objects, resolving::contains);
  }

  private void provisioned(String hostname) {
    if (store.get(Service.class, "rpc-0-p2p") == null) {
      store.ensure(P2pService.desired(node, ROUTABLE.targetType(), null));
    }
    store.change(Service.class, "rpc-0-p2p", service -> service.setStatus(new ServiceStatusBuilder()
        .withNewLoadBalancer().withIngress(new LoadBalancerIngressBuilder().withHostname(hostname).build())
        .endLoadBalancer().build()));
  }

  static SeiNode node(String specExtra) {
    return JSON.unmarshal("""
        apiVersion: sei.io/v1alpha1
        kind: SeiNode
        metadata: {name: rpc-0, namespace: ns, uid: 5e1d0000-0000-4000-8000-000000000001, generation: 1}
        spec:
          chainId: pacific-1
          image: seid:v6
          fullNode: {}
          %s
        """.formatted(specExtra), SeiNode.class);
  }
}
