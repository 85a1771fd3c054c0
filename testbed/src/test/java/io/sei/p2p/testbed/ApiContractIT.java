package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.SeiNodeDeploymentStatus;
import io.sei.p2p.model.SeiNodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The generated CRDs on a real kube-apiserver: the upstream contract, our additions, and the CEL rules. */
@ExtendWith(ControlPlaneExtension.class)
class ApiContractIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static ControlPlane plane;
  private String ns;

  @BeforeAll
  static void useControlPlane(ControlPlane controlPlane) {
    plane = controlPlane;
  }

  @BeforeEach
  void freshNamespace() {
    ns = plane.newNamespace("api");
  }

  @Test
  void crdsAreServedWithShortNamesStatusAndScale() {
    CustomResourceDefinition nodes = crd("seinodes.sei.io");
    CustomResourceDefinition deployments = crd("seinodedeployments.sei.io");

    assertThat(nodes.getSpec().getNames().getShortNames()).containsExactly("snode");
    assertThat(deployments.getSpec().getNames().getShortNames()).containsExactly("snd");
    assertThat(nodes.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
    assertThat(deployments.getSpec().getVersions().get(0).getSubresources().getScale().getSpecReplicasPath())
        .isEqualTo(".spec.replicas");
    assertThat(deployments.getSpec().getVersions().get(0).getSubresources().getScale().getStatusReplicasPath())
        .isEqualTo(".status.replicas");
  }

  /** Users learn the API through kubectl explain: every field of these levels says what it does. */
  @Test
  void kubectlExplainDescribesTheFieldsUsersSet() {
    for (String path : List.of("seinode.spec", "seinode.spec.networking", "seinode.spec.peers", "seinode.status",
        "seinodedeployment.spec", "seinodedeployment.status")) {
      Kubectl.Result explained = plane.kubectl().run("explain", path);
      assertThat(explained.succeeded()).as(explained.toString()).isTrue();
      assertThat(explained.stdout()).as(path).contains("FIELDS:").doesNotContain("<no description>");
    }
    assertThat(plane.kubectl().run("explain", "seinode.spec.networking.tcp").stdout())
        .contains("Public P2P over TCP: the node gets its own internet-facing AWS Network Load");
  }

  @Test
  void upstreamManifestsApplyUnchangedUnderStrictValidation() {
    for (String file : List.of("upstream-full-node.yaml", "upstream-validator.yaml",
        "upstream-replayer-and-archive.yaml", "upstream-deployment.yaml")) {
      Kubectl.Result applied = apply(resource(file));
      assertThat(applied.succeeded()).as(file + ": " + applied).isTrue();
      assertThat(applied.stderr()).as(file).doesNotContain("Warning");
    }

    JsonNode fullNode = get("seinode", "rpc-full-node").path("spec");
    assertThat(fullNode.at("/fullNode/snapshot/s3/targetHeight").asLong()).isEqualTo(150000000L);
    assertThat(fullNode.at("/sidecar/resources/requests/cpu").asText()).isEqualTo("250m");
    assertThat(fullNode.at("/dataVolume/import/pvcName").asText()).isEqualTo("rpc-data-restore");
    assertThat(fullNode.at("/peers/2/label/namespace").asText()).isEqualTo("sei-rpc");
    assertThat(fullNode.has("networking")).isFalse();

    JsonNode validator = get("seinode", "validator-0").path("spec");
    assertThat(validator.at("/validator/nodeKey/secret/secretName").asText()).isEqualTo("validator-0-node-key");
    assertThat(validator.at("/validator/operatorKeyring/secret/keyName").asText()).isEqualTo("node_admin");

    JsonNode genesis = get("snd", "genesis-validators").path("spec");
    assertThat(genesis.at("/genesis/overrides/staking/params/unbonding_time").asText()).isEqualTo("60s");
    assertThat(genesis.at("/genesis/stakingAmount").asText()).as("defaulted").isEqualTo("10000000usei");
    assertThat(genesis.at("/template/metadata/annotations/example.com~1owner").asText()).isEqualTo("platform");

    JsonNode samplesForm = get("snd", "rpc-group").path("spec");
    assertThat(samplesForm.path("replicas").asInt()).as("defaulted").isEqualTo(1);
    assertThat(samplesForm.path("deletionPolicy").asText()).as("defaulted").isEqualTo("Delete");
    assertThat(samplesForm.has("updateStrategy")).isFalse();
  }

  @Test
  void legacyAndNewNetworkingShapesValidate() {
    Kubectl.Result applied = apply(resource("legacy-networking.yaml"));

    assertThat(applied.succeeded()).as(applied.toString()).isTrue();
    assertThat(get("seinode", "legacy-empty-networking").at("/spec/networking").isObject()).isTrue();
    assertThat(get("seinode", "legacy-no-networking").at("/spec").has("networking")).isFalse();
    JsonNode both = get("seinode", "new-networking").path("spec");
    assertThat(both.at("/networking/http").isObject()).isTrue();
    assertThat(both.at("/networking/tcp").isObject()).isTrue();
    assertThat(both.at("/peers/0/seinodeDeployment/selector/sei.io~1role").asText()).isEqualTo("validators");
  }

  @Test
  void unknownFieldsAreRefusedByStrictFieldValidation() {
    Kubectl.Result applied = apply(Manifests.seiNode("typo", "networking: {tcp: {}, udp: {}}\n  fullNode: {}"));

    assertThat(applied.succeeded()).isFalse();
    assertThat(applied.stderr()).contains("unknown field \"spec.networking.udp\"");
  }

  @Test
  void aSidecarResourceClaimNeedsItsNameAsInKubernetes() {
    assertRejected(apply(Manifests.seiNode("claims", "fullNode: {}\n  sidecar: {resources: {claims: [{request: gpu}]}}")),
        "spec.sidecar.resources.claims[0].name: Required value");
    assertThat(apply(Manifests.seiNode("claims", "fullNode: {}\n  sidecar: {resources: {claims: [{name: gpu}]}}"))
        .succeeded()).isTrue();
  }

  @Test
  void aSidecarResourceIsAQuantityAsInKubernetes() {
    assertRejected(apply(Manifests.seiNode("quantity", "fullNode: {}\n  sidecar: {resources: {requests: {cpu: lots}}}")),
        "spec.sidecar.resources.requests.cpu: Invalid value: \"lots\": spec.sidecar.resources.requests.cpu in body "
            + "should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))");
    assertThat(apply(Manifests.seiNode("quantity",
        "fullNode: {}\n  sidecar: {resources: {requests: {cpu: 250m, memory: 1.5Gi}, limits: {memory: 2}}}"))
        .succeeded()).isTrue();
  }

  @Test
  void exactlyOneNodeModeIsRequired() {
    String message = "exactly one of fullNode, archive, replayer, or validator must be set";

    assertRejected(apply(Manifests.seiNode("two-modes", "fullNode: {}\n  archive: {}")), message);
    assertRejected(apply(Manifests.seiNode("no-mode", "paused: true")), message);
  }

  @Test
  void replayerNeedsPeers() {
    assertRejected(apply(Manifests.seiNode("replayer", "replayer: {snapshot: {stateSync: {}}}")),
        "peers is required when replayer mode is set");
  }

  @Test
  void peerSourceWithTwoMembersIsRejectedWithTheUnionMessage() {
    Kubectl.Result applied = apply(Manifests.seiNode("two-sources", """
        fullNode: {}
          peers:
          - static: {addresses: ["0123456789abcdef0123456789abcdef01234567@a.example.com:26656"]}
            label: {selector: {app: sei}}"""));

    assertRejected(applied, "spec.peers[0]: Invalid value: \"object\": "
        + "exactly one of ec2Tags, static, label, or seinodeDeployment must be set");
    assertThat(plane.client().resources(SeiNode.class).inNamespace(ns).withName("two-sources").get()).isNull();
  }

  @Test
  void ec2TagsBeyondEc2sLimitsAreRefused() {
    assertRejected(apply(Manifests.seiNode("long-tag", "fullNode: {}\n  peers: [{ec2Tags: {region: us-east-2, tags: {"
        + "k".repeat(129) + ": v}}}]")), "spec.peers[0].ec2Tags.tags: Invalid value: \"object\": EC2 tag keys have 1 "
        + "to 128 characters and values at most 256");
    assertRejected(apply(Manifests.seiNode("long-value", "fullNode: {}\n  peers: [{ec2Tags: {region: us-east-2, tags: {"
        + "role: " + "v".repeat(257) + "}}}]")), "EC2 tag keys have 1 to 128 characters and values at most 256");
  }

  @Test
  void emptySelectorsAndAddressListsAreRefused() {
    assertRejected(apply(Manifests.seiNode("empty-selector", "fullNode: {}\n  peers: [{seinodeDeployment: {selector: {}}}]")),
        "spec.peers[0].seinodeDeployment.selector: Invalid value: 0: spec.peers[0].seinodeDeployment.selector in body "
            + "should have at least 1 properties");
    assertRejected(apply(Manifests.seiNode("empty-static", "fullNode: {}\n  peers: [{static: {addresses: []}}]")),
        "spec.peers[0].static.addresses: Invalid value: 0: spec.peers[0].static.addresses in body "
            + "should have at least 1 items");
  }

  /** Every list, map and free-form string a user writes has a bound, so no object can grow without limit. */
  @Test
  void listsMapsAndValuesAreBounded() {
    String peers = IntStream.range(0, 33).mapToObj(i -> "{label: {selector: {n: \"" + i + "\"}}}")
        .collect(Collectors.joining(", "));
    assertRejected(apply(Manifests.seiNode("many-peers", "fullNode: {}\n  peers: [" + peers + "]")),
        "spec.peers: Too many: 33: must have at most 32 items");
    String addresses = IntStream.range(0, 257).mapToObj(i -> "\"" + "a".repeat(40) + "@h" + i + ":26656\"")
        .collect(Collectors.joining(", "));
    assertRejected(apply(Manifests.seiNode("many-addresses",
            "fullNode: {}\n  peers: [{static: {addresses: [" + addresses + "]}}]")),
        "spec.peers[0].static.addresses: Too many: 257: must have at most 256 items");
    assertRejected(apply(Manifests.seiNode("long-address",
            "fullNode: {}\n  peers: [{static: {addresses: [\"" + "a".repeat(301) + "\"]}}]")),
        "each address is at most 300 characters");
    String overrides = IntStream.range(0, 65).mapToObj(i -> "k" + i + ": v").collect(Collectors.joining(", "));
    assertRejected(apply(Manifests.seiNode("many-overrides", "fullNode: {}\n  overrides: {" + overrides + "}")),
        "spec.overrides: Too many: 65: must have at most 64 items");
    assertRejected(apply(Manifests.seiNode("long-override",
            "fullNode: {}\n  overrides: {p2p.seeds: \"" + "x".repeat(4097) + "\"}")),
        "overrides keys are at most 253 characters and values at most 4096");
    assertRejected(apply(Manifests.seiNode("long-label", "fullNode: {}\n  podLabels: {team: \"" + "x".repeat(64)
            + "\"}")),
        "podLabels keys are at most 317 characters (prefix/name) and values at most 63");
    String selector = IntStream.range(0, 17).mapToObj(i -> "k" + i + ": v").collect(Collectors.joining(", "));
    assertRejected(apply(Manifests.seiNode("big-selector",
            "fullNode: {}\n  peers: [{seinodeDeployment: {selector: {" + selector + "}}}]")),
        "spec.peers[0].seinodeDeployment.selector: Too many: 17: must have at most 16 items");
    assertThat(apply(Manifests.seiNode("at-the-bounds", "fullNode: {}\n  overrides: {p2p.seeds: \""
        + "x".repeat(4096) + "\"}\n  podLabels: {team: \"" + "x".repeat(63) + "\"}")).succeeded()).isTrue();
  }

  @Test
  void chainIdIsImmutable() {
    assertThat(apply(Manifests.seiNode("immutable", "fullNode: {}")).succeeded()).isTrue();

    Kubectl.Result changed = apply(Manifests.seiNode("immutable", "fullNode: {}").replace("chainId: pacific-1", "chainId: atlantic-2"));

    assertRejected(changed, "spec.chainId: Invalid value: \"object\": chainId is immutable");
    assertThat(get("seinode", "immutable").at("/spec/chainId").asText()).isEqualTo("pacific-1");
  }

  @Test
  void validatorKeyRulesHoldAsUpstream() {
    assertRejected(apply(Manifests.seiNode("half-keys", "validator: {signingKey: {secret: {secretName: a}}}")),
        "signingKey and nodeKey must be set together");
    assertRejected(apply(Manifests.seiNode("same-secret",
            "validator: {signingKey: {secret: {secretName: a}}, nodeKey: {secret: {secretName: a}}}")),
        "signingKey and nodeKey must reference distinct Secrets");
  }

  @Test
  void secretAndClaimNamesMayHaveDotsAsInKubernetes() {
    Kubectl.Result dotted = apply(Manifests.seiNode("dotted-names",
        "validator: {signingKey: {secret: {secretName: keys.signing}}, nodeKey: {secret: {secretName: keys.node}}}"
            + "\n  dataVolume: {import: {pvcName: data.validator-0}}"));
    assertThat(dotted.succeeded()).as(dotted.toString()).isTrue();
    assertThat(get("seinode", "dotted-names").at("/spec/validator/nodeKey/secret/secretName").asText())
        .isEqualTo("keys.node");
    assertRejected(apply(Manifests.seiNode("underscored-name",
            "validator: {signingKey: {secret: {secretName: keys_signing}}, nodeKey: {secret: {secretName: k}}}")),
        "spec.validator.signingKey.secret.secretName: Invalid value: \"keys_signing\"");
  }

  @Test
  void deploymentRulesHoldAsUpstream() {
    assertRejected(apply("""
        apiVersion: sei.io/v1alpha1
        kind: SeiNodeDeployment
        metadata: {name: genesis-on-full-nodes}
        spec:
          genesis: {chainId: devnet}
          template: {spec: {chainId: devnet, image: seid, fullNode: {}}}
        """), "genesis is meaningful only for validator-role deployments");
    assertRejected(apply("""
        apiVersion: sei.io/v1alpha1
        kind: SeiNodeDeployment
        metadata: {name: too-many}
        spec:
          replicas: 101
          template: {spec: {chainId: devnet, image: seid, fullNode: {}}}
        """), "spec.replicas: Invalid value: 101: spec.replicas in body should be less than or equal to 100");
  }

  @Test
  void fabric8RoundTripsBothKindsIncludingStatus() {
    KubernetesClient client = plane.client();
    SeiNode node = client.getKubernetesSerialization().unmarshal(
        Manifests.seiNode("round-trip", "networking: {tcp: {}}\n  fullNode: {}"), SeiNode.class);
    client.resource(node).inNamespace(ns).create();
    Condition published = new ConditionBuilder().withType("Published").withStatus("True").withReason("Published")
        .withMessage("published").withLastTransitionTime("2026-01-01T00:00:00Z").withObservedGeneration(1L).build();
    SeiNodeStatus status = new SeiNodeStatus("abc.elb.us-east-2.amazonaws.com:26656",
        "0123456789abcdef0123456789abcdef01234567", List.of("a.example.com:26656"),
        new SeiNodeStatus.StatefulSetRef("round-trip", "uid-1"), 1L, List.of(published));
    SeiNode stored = client.resources(SeiNode.class).inNamespace(ns).withName("round-trip").get();
    stored.setStatus(status);
    client.resource(stored).updateStatus();

    SeiNode read = client.resources(SeiNode.class).inNamespace(ns).withName("round-trip").get();
    assertThat(read.getSpec()).isEqualTo(node.getSpec());
    assertThat(read.getSpec().networking().tcpEnabled()).isTrue();
    assertThat(read.getStatus()).isEqualTo(status);

    assertThat(apply(resource("upstream-deployment.yaml")).succeeded()).isTrue();
    SeiNodeDeployment snd = client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("rpc-group").get();
    SeiNodeDeploymentStatus sndStatus = new SeiNodeDeploymentStatus(1L, 1, 0, 1,
        List.of(new SeiNodeDeploymentStatus.NodeStatus("rpc-group-0", "abc.example.com:26656")), List.of());
    snd.setStatus(sndStatus);
    client.resource(snd).updateStatus();
    assertThat(client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("rpc-group").get().getStatus())
        .isEqualTo(sndStatus);

    Kubectl.Result scaled = plane.kubectl().run("-n", ns, "scale", "snd", "rpc-group", "--replicas=3");
    assertThat(scaled.succeeded()).as(scaled.toString()).isTrue();
    assertThat(client.resources(SeiNodeDeployment.class).inNamespace(ns).withName("rpc-group").get()
        .getSpec().replicas()).isEqualTo(3);
  }

  @Test
  void printerColumnsShowChainPublicationAndAddress() {
    assertThat(apply(Manifests.seiNode("columns", "fullNode: {}")).succeeded()).isTrue();
    SeiNode stored = plane.client().resources(SeiNode.class).inNamespace(ns).withName("columns").get();
    stored.setStatus(new SeiNodeStatus("lb.example.com:26656", null, null, null, null, List.of(
        new ConditionBuilder().withType("Published").withStatus("True").withReason("Published")
            .withLastTransitionTime("2026-01-01T00:00:00Z").build())));
    plane.client().resource(stored).updateStatus();

    Kubectl.Result table = plane.kubectl().run("-n", ns, "get", "snode", "columns");

    // AGE last, as kubectl shows Kubernetes' own resources (the build moves it there)
    assertThat(table.stdout().lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "CHAIN", "PUBLISHED", "ADDRESS", "AGE");
    assertThat(table.stdout()).contains("pacific-1").contains("Published").contains("lb.example.com:26656");
    assertThat(apply(resource("upstream-deployment.yaml")).succeeded()).isTrue();
    Kubectl.Result deployments = plane.kubectl().run("-n", ns, "get", "snd");
    assertThat(deployments.stdout().lines().findFirst().orElse("").split("\\s+"))
        .containsExactly("NAME", "REPLICAS", "PUBLISHED", "AGE");
  }

  private Kubectl.Result apply(String manifest) {
    return plane.kubectl().runWithInput(manifest, "-n", ns, "apply", "--validate=strict", "-f", "-");
  }

  private JsonNode get(String kind, String name) {
    Kubectl.Result result = plane.kubectl().run("-n", ns, "get", kind, name, "-o", "json");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
    try {
      return JSON.readTree(result.stdout());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertRejected(Kubectl.Result result, String expectedMessage) {
    assertThat(result.succeeded()).as("should have been rejected: " + result).isFalse();
    assertThat(result.stderr()).contains(expectedMessage);
  }

  private static CustomResourceDefinition crd(String name) {
    return plane.client().apiextensions().v1().customResourceDefinitions().withName(name).get();
  }

  private static String resource(String name) {
    try (InputStream in = ApiContractIT.class.getResourceAsStream("/api/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
