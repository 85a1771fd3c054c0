package io.sei.p2p.validation;

import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.model.Fixtures;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.peers.PeerIndex;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.resources.DeploymentChildren;
import io.sei.p2p.resources.NodeConfig;
import io.sei.p2p.resources.NodeObjects;
import io.sei.p2p.resources.P2pService;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** No rule throws on an object the CRD schema admits, however odd its values: a rule answers, or reports. */
class RulesNeverThrowTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Property(tries = 2000)
  void everyNodeRuleAnswersEveryAdmittedNode(@ForAll("nodes") ObjectNode json) {
    assertThatCode(() -> {
      SeiNode node = Fixtures.JSON.convertValue(json, SeiNode.class);
      exerciseNode(node, json);
    }).as(json.toString()).doesNotThrowAnyException();
  }

  @Property(tries = 1000)
  void everyDeploymentRuleAnswersEveryAdmittedDeployment(@ForAll("deployments") ObjectNode json) {
    assertThatCode(() -> {
      SeiNodeDeployment deployment = Fixtures.JSON.convertValue(json, SeiNodeDeployment.class);
      DeploymentValidation.validate(deployment, null, Fixtures.ROUTABLE);
      DeploymentValidation.validate(deployment, deployment, Fixtures.NOT_ROUTABLE);
      Networking.defaultingPatch(json, Networking.DEPLOYMENT_BLOCKS);
      for (SeiNode child : DeploymentChildren.desired(deployment)) {
        exerciseNode(child, Fixtures.JSON.convertValue(child, ObjectNode.class));
      }
    }).as(json.toString()).doesNotThrowAnyException();
  }

  private static void exerciseNode(SeiNode node, JsonNode json) {
    NodeValidation.validate(node, null, Fixtures.ROUTABLE);
    NodeValidation.validate(node, node, Fixtures.NOT_ROUTABLE);
    Networking.defaultingPatch(json, Networking.SEINODE_BLOCKS);
    String name = node.getMetadata().getName();
    String namespace = node.getMetadata().getNamespace();
    Peers.Resolution peers = Peers.resolve(name, namespace, node.getSpec().peersOrEmpty(), Fixtures.directory(
        List.of(new Peers.NodeView(name, namespace, node.getMetadata().getLabels(), true, "x.elb:26656", "ab"),
            new Peers.NodeView("other", namespace, node.getMetadata().getLabels(), true, name + ":1", null)),
        List.of(new Peers.DeploymentView(name, namespace, node.getMetadata().getLabels(), 3, true))));
    NodeConfig.Rendered config = NodeConfig.render(name, peers.persistentPeers(), node.getSpec().overrides());
    NodeObjects.headlessService(node);
    NodeObjects.configMap(node, config, Instant.EPOCH);
    NodeObjects.statefulSet(node, config, Fixtures.POD_SETTINGS, peers.resolvedPeers().size());
    NodeObjects.dataClaim(node, Fixtures.POD_SETTINGS);
    P2pService.keptSettings(NlbTargetType.INSTANCE, P2pService.desired(node, NlbTargetType.IP, null));
    SecretReferences.added(node.getSpec(), null, "spec");
    PeerIndex.dependencyKeys(namespace, node.getSpec().peersOrEmpty());
    PeerIndex.dependentsOfNode(namespace, node.getMetadata().getLabels());
    StatefulSetGate.decide(namespace, name, new Owner.Found(node));
  }

  @Provide
  Arbitrary<ObjectNode> nodes() {
    return Combinators.combine(names(), labels(), spec()).as((name, labels, spec) -> {
      ObjectNode node = JSON.createObjectNode().put("apiVersion", "sei.io/v1alpha1").put("kind", "SeiNode");
      node.putObject("metadata").put("name", name).put("namespace", "ns").set("labels", JSON.valueToTree(labels));
      node.set("spec", spec);
      return node;
    });
  }

  @Provide
  Arbitrary<ObjectNode> deployments() {
    return Combinators.combine(names(), labels(), spec(), Arbitraries.integers().between(1, 5), networking())
        .as((name, labels, spec, replicas, networking) -> {
          ObjectNode deployment = JSON.createObjectNode().put("apiVersion", "sei.io/v1alpha1")
              .put("kind", "SeiNodeDeployment");
          deployment.putObject("metadata").put("name", name).put("namespace", "ns").put("generation", 1)
              .set("labels", JSON.valueToTree(labels));
          ObjectNode deploymentSpec = deployment.putObject("spec").put("replicas", replicas);
          deploymentSpec.putObject("template").set("spec", spec);
          if (networking != null) {
            deploymentSpec.set("networking", networking);
          }
          return deployment;
        });
  }

  private static Arbitrary<ObjectNode> spec() {
    return Combinators.combine(text(), text(), mode(), networking(), peers(), labels(), labels())
        .as((chainId, image, mode, networking, peers, overrides, podLabels) -> {
          ObjectNode spec = JSON.createObjectNode().put("chainId", chainId.isEmpty() ? "c" : chainId)
              .put("image", image.isEmpty() ? "i" : image);
          spec.setAll(mode);
          if (networking != null) {
            spec.set("networking", networking);
          }
          spec.set("peers", peers);
          spec.set("overrides", JSON.valueToTree(overrides));
          spec.set("podLabels", JSON.valueToTree(podLabels));
          return spec;
        });
  }

  private static Arbitrary<ObjectNode> mode() {
    return Arbitraries.of("fullNode", "archive", "validator", "replayer").flatMap(mode -> names().map(secret -> {
      ObjectNode holder = JSON.createObjectNode();
      ObjectNode body = holder.putObject(mode);
      if (mode.equals("validator")) {
        body.putObject("nodeKey").putObject("secret").put("secretName", secret);
        body.putObject("signingKey").putObject("secret").put("secretName", secret + "-sign");
      }
      if (mode.equals("replayer")) {
        body.putObject("snapshot").putObject("s3").put("targetHeight", 1);
      }
      return holder;
    }));
  }

  private static Arbitrary<ObjectNode> networking() {
    return Arbitraries.of("none", "legacy", "http", "tcp", "both").map(form -> switch (form) {
      case "none" -> null;
      case "legacy" -> JSON.createObjectNode();
      case "http" -> (ObjectNode) JSON.createObjectNode().set("http", JSON.createObjectNode());
      case "tcp" -> (ObjectNode) JSON.createObjectNode().set("tcp", JSON.createObjectNode());
      default -> (ObjectNode) JSON.createObjectNode().<ObjectNode>set("http", JSON.createObjectNode())
          .set("tcp", JSON.createObjectNode());
    });
  }

  private static Arbitrary<JsonNode> peers() {
    Arbitrary<ObjectNode> peer = Arbitraries.of("static", "label", "seinodeDeployment", "ec2Tags")
        .flatMap(member -> Combinators.combine(text(), labels()).as((value, selector) -> {
          ObjectNode source = JSON.createObjectNode();
          switch (member) {
            case "static" -> source.putObject("static").putArray("addresses").add(value)
                .add("a".repeat(40) + "@" + value + ":26656");
            case "ec2Tags" -> source.putObject("ec2Tags").put("region", value).set("tags", JSON.valueToTree(
                selector.isEmpty() ? Map.of("k", "v") : selector));
            default -> source.putObject(member).put("namespace", value).set("selector", JSON.valueToTree(
                selector.isEmpty() ? Map.of("k", "v") : selector));
          }
          return source;
        }));
    return peer.list().ofMaxSize(4).map(JSON::valueToTree);
  }

  private static Arbitrary<Map<String, String>> labels() {
    return Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of("sei.io/nodedeployment", "p2p.laddr",
        "p2p.external_address", "p2p.persistent_peers"), text()), text()).ofMaxSize(4);
  }

  /** Any text: empty, long, control characters, quotes, non-Latin scripts, surrogate pairs. */
  private static Arbitrary<String> text() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.strings().ofMaxLength(300),
        Arbitraries.of("", "\"", "\\", "\n[rpc]\n", "\u0000", "\ud83d\ude80", "x:26656", "[::1]:26656", "-"));
  }

  private static Arbitrary<String> names() {
    return Arbitraries.strings().withChars("abc-0123456789").ofMinLength(1).ofMaxLength(70);
  }
}
