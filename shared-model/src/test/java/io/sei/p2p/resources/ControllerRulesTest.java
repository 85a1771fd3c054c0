package io.sei.p2p.resources;

import static io.sei.p2p.model.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.PeerSource;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.net.ExternalAddress;
import io.sei.p2p.peers.Ec2Peers;
import io.sei.p2p.peers.NodeId;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.peers.Peers.DeploymentView;
import io.sei.p2p.peers.Peers.NodeView;
import io.sei.p2p.peers.Selectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControllerRulesTest {

  @Test
  void theP2pServiceHasTheShapeTheAwsLoadBalancerControllerReads() {
    Service service = P2pService.desired(node("val-0", ""), NlbTargetType.IP, null);

    assertThat(service.getMetadata().getName()).isEqualTo("val-0-p2p");
    assertThat(service.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(service.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("sei.io/node", "val-0", "sei.io/component", "p2p-lb"));
    assertThat(service.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "service.beta.kubernetes.io/aws-load-balancer-type", "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme", "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-attributes", "load_balancing.cross_zone.enabled=true"));
    assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getProtocol()).isEqualTo("TCP");
      assertThat(port.getPort()).isEqualTo(26656);
      assertThat(port.getTargetPort().getIntVal()).isEqualTo(26656);
    });
    assertThat(service.getSpec().getSelector()).containsExactly(Map.entry("statefulset.kubernetes.io/pod-name", "val-0-0"));
    assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
    assertThat(service.getSpec().getAllocateLoadBalancerNodePorts()).isFalse();
    assertThat(P2pService.desired(node("v", ""), NlbTargetType.INSTANCE, null).getSpec()
        .getAllocateLoadBalancerNodePorts()).isNull();
  }

  @Test
  void anExistingServiceKeepsTheAnnotationsThatChooseItsLoadBalancer() {
    Service existing = new ServiceBuilder(P2pService.desired(node("v", ""), NlbTargetType.INSTANCE, null))
        .editMetadata().addToAnnotations(P2pService.SCHEME, "internal").endMetadata().build();

    Service desired = P2pService.desired(node("v", ""), NlbTargetType.IP, existing);

    assertThat(desired.getMetadata().getAnnotations())
        .containsEntry(P2pService.TARGET_TYPE, "instance")
        .containsEntry(P2pService.SCHEME, "internal")
        .containsEntry(P2pService.ATTRIBUTES, "load_balancing.cross_zone.enabled=true");
    assertThat(desired.getSpec().getAllocateLoadBalancerNodePorts()).as("follows the kept instance targets").isNull();
    assertThat(P2pService.desired(node("v", ""), NlbTargetType.INSTANCE,
            P2pService.desired(node("v", ""), NlbTargetType.IP, null)).getSpec().getAllocateLoadBalancerNodePorts())
        .as("follows the kept ip targets").isFalse();
    assertThat(P2pService.keptSettings(NlbTargetType.IP, existing))
        .containsExactlyInAnyOrderEntriesOf(Map.of(P2pService.TARGET_TYPE, "instance", P2pService.SCHEME, "internal"));
    assertThat(P2pService.keptSettings(NlbTargetType.INSTANCE,
        P2pService.desired(node("v", ""), NlbTargetType.INSTANCE, null))).isEmpty();
  }

  @Test
  void theAddressComesFromTheHostnameElseTheIpAndIsNeverClearedByAnEmptyRead() {
    assertThat(ExternalAddress.fromService(withIngress("abc.elb.us-east-2.amazonaws.com", null)))
        .contains("abc.elb.us-east-2.amazonaws.com:26656");
    assertThat(ExternalAddress.fromService(withIngress(null, "203.0.113.7"))).contains("203.0.113.7:26656");
    assertThat(ExternalAddress.fromService(withIngress(null, "2600:1f14::7"))).contains("[2600:1f14::7]:26656");
    assertThat(ExternalAddress.fromService(withIngress("", ""))).isEmpty();
    assertThat(ExternalAddress.fromService(new ServiceBuilder().build())).isEmpty();

    assertThat(ExternalAddress.next("abc:26656", Optional.empty())).isEqualTo("abc:26656");
    assertThat(ExternalAddress.next(null, Optional.of("abc:26656"))).isEqualTo("abc:26656");
    assertThat(ExternalAddress.host("[2600:1f14::7]:26656")).isEqualTo("2600:1f14::7");
    assertThat(ExternalAddress.host("abc.elb.amazonaws.com:26656")).isEqualTo("abc.elb.amazonaws.com");
  }

  @Test
  void peersResolveAcrossSourcesSortedDeduplicatedAndNeverSelf() {
    String id = "0123456789abcdef0123456789abcdef01234567";
    String aa = "aa".repeat(20);
    String bb = "bb".repeat(20);
    String dd = "dd".repeat(20);
    Peers.Directory directory = Fixtures.directory(List.of(
        new NodeView("prod-0", "ns", Map.of("sei.io/nodedeployment", "prod", "chain", "p1"), true, "b.elb:26656", aa),
        new NodeView("prod-1", "ns", Map.of("sei.io/nodedeployment", "prod", "chain", "p1"), false, null, bb),
        new NodeView("cons-0", "ns", Map.of("sei.io/nodedeployment", "cons", "chain", "p1"), true, "c.elb:26656", "cc"),
        new NodeView("lonely", "ns", Map.of("chain", "p1"), false, null, null),
        new NodeView("elsewhere", "other", Map.of("sei.io/nodedeployment", "prod", "chain", "p1"), true, "x:26656",
            "xx")), List.of(
        new DeploymentView("prod", "ns", Map.of("role", "producer"), 2, false),
        new DeploymentView("cons", "ns", Map.of("role", "consumer"), 1, true)),
        Map.of(new Ec2Peers.Source("us-east-2", Map.of("a", "b")), new Ec2Peers.Lookup(List.of(
            new Ec2Peers.Instance("i-1", Map.of("sei.io/node-id", dd), "ec2-1.example.com", "3.3.3.3", null, null),
            new Ec2Peers.Instance("i-2", Map.of("sei.io/node-id", id), "a.example.com", null, null, null)),
            null, true)));
    List<PeerSource> sources = List.of(
        new PeerSource(null, null, null, new PeerSource.SeiNodeDeploymentSelector(Map.of("role", "producer"), null)),
        new PeerSource(null, null, null, new PeerSource.SeiNodeDeploymentSelector(Map.of("role", "consumer"), null)),
        new PeerSource(null, new PeerSource.Static(List.of(id + "@a.example.com:26656")), null, null),
        new PeerSource(null, null, new PeerSource.Label(Map.of("chain", "p1"), null), null),
        new PeerSource(new PeerSource.Ec2Tags("us-east-2", Map.of("a", "b")), null, null, null));

    Peers.Resolution resolution = Peers.resolve("cons-0", "ns", sources, directory);

    assertThat(resolution.resolvedPeers()).containsExactly(
        "a.example.com:26656", "b.elb:26656", "ec2-1.example.com:26656", "lonely-0.lonely.ns.svc.cluster.local:26656",
        "prod-1-0.prod-1.ns.svc.cluster.local:26656");
    assertThat(resolution.persistentPeers()).as("the static peer and the instance i-2 are one entry").containsExactly(
        id + "@a.example.com:26656", aa + "@b.elb:26656", bb + "@prod-1-0.prod-1.ns.svc.cluster.local:26656",
        dd + "@ec2-1.example.com:26656");
    assertThat(resolution.ec2Failures()).isEmpty();
    assertThat(resolution.ec2Pending()).isFalse();
    assertThat(resolution.awaiting()).as("no tcp peer is unpublished").isZero();
    assertThat(resolution.rejected()).isEmpty();
  }

  @Test
  void deploymentPeersAreOnlyPublishedChildrenAndTcpOnesNotYetPublishedAreAwaited() {
    List<PeerSource> sources = List.of(
        new PeerSource(null, null, null, new PeerSource.SeiNodeDeploymentSelector(Map.of("r", "p"), null)));
    Peers.Directory directory = Fixtures.directory(List.of(
        new NodeView("p-0", "ns", Map.of("sei.io/nodedeployment", "p"), true, null, "aa".repeat(20)),
        new NodeView("p-1", "ns", Map.of("sei.io/nodedeployment", "p"), true, "p1.elb:26656", "bb".repeat(20)),
        new NodeView("me", "ns", Map.of("sei.io/nodedeployment", "p"), true, null, null)),
        List.of(new DeploymentView("p", "ns", Map.of("r", "p"), 4, true)));

    Peers.Resolution resolution = Peers.resolve("me", "ns", sources, directory);

    assertThat(resolution.resolvedPeers()).containsExactly("p1.elb:26656");
    assertThat(resolution.persistentPeers()).containsExactly("bb".repeat(20) + "@p1.elb:26656");
    assertThat(resolution.awaiting()).as("p-0 unpublished, and p-3 not created yet; never itself").isEqualTo(2);
    assertThat(resolution.ec2Pending()).as("no ec2Tags source").isFalse();
    assertThat(Peers.resolve("me", "ns", sources, Fixtures.directory(List.of(),
        List.of(new DeploymentView("p", "ns", Map.of("r", "p"), 4, false)))).awaiting())
        .as("children without tcp never publish, so nobody waits for them").isZero();
    assertThat(Selectors.matches(Map.of(), Map.of("a", "b"))).as("an empty selector matches nothing").isFalse();
  }

  @Test
  void malformedPublishedPeersAreLeftOutAndReported() {
    List<PeerSource> sources = List.of(new PeerSource(null, null, new PeerSource.Label(Map.of("c", "p"), null), null));
    String good = "ab".repeat(20);
    Peers.Directory directory = Fixtures.directory(List.of(
        new NodeView("ok", "ns", Map.of("c", "p"), true, "ok.elb:26656", good),
        new NodeView("newline", "ns", Map.of("c", "p"), true, "x.elb:26656\"\n[rpc]\nladdr = \"0.0.0.0", good),
        new NodeView("short-id", "ns", Map.of("c", "p"), true, "y.elb:26656", "abc"),
        new NodeView("no-port", "ns", Map.of("c", "p"), true, "z.elb", null)), List.of());

    Peers.Resolution resolution = Peers.resolve("me", "ns", sources, directory);

    assertThat(resolution.persistentPeers()).containsExactly(good + "@ok.elb:26656");
    assertThat(resolution.resolvedPeers()).containsExactly("ok.elb:26656");
    assertThat(resolution.rejected()).hasSize(3).allSatisfy(problem -> assertThat(problem).startsWith("SeiNode ns/"))
        .anySatisfy(problem -> assertThat(problem).contains("ns/short-id").contains("not 40 hexadecimal"))
        .anySatisfy(problem -> assertThat(problem).contains("ns/no-port").contains("is not <host>:<port>"))
        .anySatisfy(problem -> assertThat(problem).contains("ns/newline"));
  }

  @Test
  void aMalformedStaticPeerIsLeftOutAndReportedNotDroppedSilently() {
    String good = "ab".repeat(20) + "@a.example.com:26656";
    List<PeerSource> sources = List.of(new PeerSource(null,
        new PeerSource.Static(List.of(good, "abc@b.example.com:26656", "ab".repeat(20) + "@c.example.com")), null,
        null));

    Peers.Resolution resolution = Peers.resolve("me", "ns", sources, Fixtures.directory(List.of(), List.of()));

    assertThat(resolution.persistentPeers()).containsExactly(good);
    assertThat(resolution.rejected()).hasSize(2)
        .contains("static peer \"abc@b.example.com:26656\": has node ID \"abc\", which is not 40 hexadecimal "
            + "characters")
        .anySatisfy(problem -> assertThat(problem).startsWith(
            "static peer \"" + "ab".repeat(20) + "@c.example.com\": \"c.example.com\" is not <host>:<port>"));
  }

  @Test
  void nodeIdIsTheFirst20BytesOfSha256OfThePublicKey() {
    // expected value computed independently with Python's hashlib
    String nodeKey = "{\"priv_key\":{\"type\":\"tendermint/PrivKeyEd25519\",\"value\":"
        + "\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==\"}}";

    assertThat(NodeId.fromNodeKeyJson(nodeKey)).isEqualTo("630dcd2966c4336691125448bbb25b4ff412a49c");
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) 7);
    byte[] pub = new byte[32];
    for (int i = 0; i < 32; i++) {
      pub[i] = (byte) i;
    }
    assertThat(NodeId.nodeKeyJson(seed, pub)).isEqualTo(nodeKey);
    assertThatThrownBy(() -> NodeId.fromNodeKeyJson("{\"priv_key\":{\"type\":\"x\"}}"))
        .hasMessageContaining("not tendermint/PrivKeyEd25519");
  }

  @Test
  void childrenCarryTheTemplateTheNetworkingChoiceAndReservedLabels() {
    SeiNodeDeployment deployment = Fixtures.JSON.unmarshal("""
        {"apiVersion":"sei.io/v1alpha1","kind":"SeiNodeDeployment",
         "metadata":{"name":"fleet","namespace":"ns","generation":4},
         "spec":{"replicas":2,"networking":{"tcp":{}},"paused":true,
          "template":{"metadata":{"labels":{"team":"a","sei.io/chain":"spoofed"},"annotations":{"x":"y"}},
                      "spec":{"chainId":"pacific-1","image":"seid","fullNode":{}}}}}""", SeiNodeDeployment.class);

    List<SeiNode> children = DeploymentChildren.desired(deployment);

    assertThat(children).extracting(c -> c.getMetadata().getName()).containsExactly("fleet-0", "fleet-1");
    SeiNode second = children.get(1);
    assertThat(second.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "a",
        "sei.io/chain", "pacific-1", "sei.io/nodedeployment", "fleet", "sei.io/nodedeployment-ordinal", "1",
        "sei.io/revision", "4"));
    assertThat(second.getMetadata().getAnnotations()).containsExactly(Map.entry("x", "y"));
    assertThat(second.getSpec().networking().tcpEnabled()).isTrue();
    assertThat(second.getSpec().pausedOrDefault()).isTrue();
  }

  @Test
  void theHeadlessServiceFindsTheNodesPodBeforeItIsReady() {
    Service headless = NodeObjects.headlessService(node("n", ""));

    assertThat(headless.getMetadata().getName()).isEqualTo("n");
    assertThat(headless.getMetadata().getLabels()).containsExactly(Map.entry("sei.io/node", "n"));
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getSelector()).containsExactly(Map.entry("sei.io/node", "n"));
    assertThat(headless.getSpec().getPorts()).extracting(p -> p.getName() + " " + p.getProtocol() + " " + p.getPort()
        + "->" + p.getTargetPort().getIntVal()).containsExactly("p2p TCP 26656->26656", "rpc TCP 26657->26657");
  }

  private static Service withIngress(String hostname, String ip) {
    return new ServiceBuilder().withNewStatus().withNewLoadBalancer().addNewIngress().withHostname(hostname)
        .withIp(ip).endIngress().endLoadBalancer().endStatus().build();
  }
}
