package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.sei.p2p.model.NodeModes.ArchiveSpec;
import io.sei.p2p.model.NodeModes.FullNodeSpec;
import io.sei.p2p.model.NodeModes.ReplayerSpec;
import java.util.List;
import java.util.Map;

/**
 * The upstream {@code v1alpha1} SeiNode spec plus {@code networking}. Field names and rules are a compatibility
 * contract: manifests written for the Go controller must validate unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.fullNode) ? 1 : 0) + (has(self.archive) ? 1 : 0) + (has(self.replayer) ? 1 : 0) + (has(self.validator) ? 1 : 0) == 1",
    message = "exactly one of fullNode, archive, replayer, or validator must be set")
@ValidationRule(
    value = "!has(self.replayer) || (has(self.peers) && size(self.peers) > 0)",
    message = "peers is required when replayer mode is set")
@ValidationRule(value = "self.chainId == oldSelf.chainId", message = "chainId is immutable", fieldPath = ".chainId")
@ValidationRule(
    value = "!has(self.overrides) || self.overrides.all(k, size(k) <= 253 && size(self.overrides[k]) <= 4096)",
    message = "overrides keys are at most 253 characters and values at most 4096", fieldPath = ".overrides")
@ValidationRule(
    value = "!has(self.podLabels) || self.podLabels.all(k, size(k) <= 317 && size(self.podLabels[k]) <= 63)",
    message = "podLabels keys are at most 317 characters (prefix/name) and values at most 63", fieldPath = ".podLabels")
public record SeiNodeSpec(
    @JsonPropertyDescription("The chain the node joins, e.g. pacific-1. Immutable.")
    @Required @Size(min = 1) String chainId,
    @JsonPropertyDescription("The seid container image the node runs.")
    @Required @Size(min = 1, max = 512) String image,
    @JsonPropertyDescription("Where the node finds its peers; each entry sets exactly one source. The "
        + "controller resolves them into the node's persistent_peers and keeps them "
        + "current without restarting the node.")
    @Size(max = 32) List<PeerSource> peers,
    @JsonPropertyDescription("seid settings by upstream's unified key (sei-config's key space), e.g. "
        + "network.p2p.max_connections: \"50\", logging.level: info or giga_executor.enabled: \"true\". Each is "
        + "written into the file seid reads it from (config.toml or app.toml), in that file's spelling, at every "
        + "start, and wins over what the controller computes. A key that cannot be placed, or a value of the wrong "
        + "type, is warned about and not written (the OverridesWritten condition lists it). A change restarts the "
        + "node.")
    @Size(max = 64) Map<String, String> overrides,
    @JsonPropertyDescription("The seictl sidecar. Kept for compatibility; this controller does not run it.")
    SidecarConfig sidecar,
    @JsonPropertyDescription("Labels added to the node's pod; its sei.io/node label is always the "
        + "controller's.")
    @Size(max = 32) Map<String, String> podLabels,
    @JsonPropertyDescription("The node's data volume, mounted as seid's home (/sei). Unless import names a "
        + "claim, the controller creates <node>-data with the size and storage class of its settings. Either way "
        + "the claim outlives the node, so that its chain data is kept.")
    DataVolumeSpec dataVolume,
    @JsonPropertyDescription("How the node is exposed: http (the default, also what networking: {} means) or "
        + "tcp (a public P2P endpoint on its own AWS Network Load Balancer).")
    NetworkingConfig networking,
    @JsonPropertyDescription("Runs the node as a full node. Exactly one of fullNode, archive, replayer and "
        + "validator is set.")
    FullNodeSpec fullNode,
    @JsonPropertyDescription("Runs the node as an archive node. Exactly one of fullNode, archive, replayer "
        + "and validator is set.")
    ArchiveSpec archive,
    @JsonPropertyDescription("Runs the node as a replayer (needs peers). Exactly one of fullNode, archive, "
        + "replayer and validator is set.")
    ReplayerSpec replayer,
    @JsonPropertyDescription("Runs the node as a validator; nodeKey names the Secret with its node_key.json, "
        + "else the controller creates one. Exactly one of fullNode, archive, replayer "
        + "and validator is set.")
    ValidatorSpec validator,
    @JsonPropertyDescription("When true, the node's StatefulSet has no replica: the pod stops, its objects "
        + "stay. Default false.")
    Boolean paused) {

  public boolean pausedOrDefault() {
    return Boolean.TRUE.equals(paused);
  }

  public List<PeerSource> peersOrEmpty() {
    return peers == null ? List.of() : peers;
  }

  /** The same spec with another networking block (how a SeiNodeDeployment's choice reaches its children). */
  public SeiNodeSpec withNetworking(NetworkingConfig newNetworking) {
    return new SeiNodeSpec(chainId, image, peers, overrides, sidecar, podLabels, dataVolume, newNetworking,
        fullNode, archive, replayer, validator, paused);
  }

  public SeiNodeSpec withPaused(Boolean newPaused) {
    return new SeiNodeSpec(chainId, image, peers, overrides, sidecar, podLabels, dataVolume, networking,
        fullNode, archive, replayer, validator, newPaused);
  }
}
