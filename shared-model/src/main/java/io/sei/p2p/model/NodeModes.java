package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The node modes and the snapshot types they share, in the upstream {@code v1alpha1} shape. This project validates,
 * stores and carries them; the snapshot machinery that acts on them lives elsewhere.
 */
public final class NodeModes {

  private NodeModes() {
  }

  /** The mode a spec sets (the CRD requires exactly one), by its field's name. */
  public enum Mode {
    FULL_NODE("fullNode"), ARCHIVE("archive"), REPLAYER("replayer"), VALIDATOR("validator");

    private final String field;

    Mode(String field) {
      this.field = field;
    }

    /** The spec field that selects it, e.g. {@code fullNode}. */
    public String field() {
      return field;
    }

    /** The mode {@code spec} sets; a spec that sets none (which the CRD refuses) counts as a full node. */
    public static Mode of(SeiNodeSpec spec) {
      if (spec.validator() != null) {
        return VALIDATOR;
      }
      if (spec.archive() != null) {
        return ARCHIVE;
      }
      return spec.replayer() != null ? REPLAYER : FULL_NODE;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FullNodeSpec(
      @JsonPropertyDescription("Where the node gets its initial chain state: an S3 snapshot or state sync. When "
          + "unset, the node syncs every block from genesis.")
      SnapshotSource snapshot,
      @JsonPropertyDescription("Makes the node take state-sync snapshots for other nodes to start from, and "
          + "optionally upload them. When unset, it takes none.")
      SnapshotGenerationConfig snapshotGeneration) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ArchiveSpec(
      @JsonPropertyDescription("Makes the archive node take state-sync snapshots for other nodes to start from, "
          + "and optionally upload them. When unset, it takes none.")
      SnapshotGenerationConfig snapshotGeneration) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReplayerSpec(
      @JsonPropertyDescription("The snapshot the replayer restores before it replays blocks fetched from its "
          + "peers. Required.")
      @Required SnapshotSource snapshot,
      @JsonPropertyDescription("Exports the block-execution results the replayer computes. When unset, nothing "
          + "is exported.")
      ResultExportConfig resultExport) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.s3) ? 1 : 0) + (has(self.stateSync) ? 1 : 0) == 1",
      message = "exactly one of s3 or stateSync must be set")
  public record SnapshotSource(
      @JsonPropertyDescription("Restores the chain's latest snapshot archive from the platform's S3 snapshot "
          + "bucket. Exactly one of s3 and stateSync is set.")
      S3SnapshotSource s3,
      @JsonPropertyDescription("Fetches the snapshot in chunks from peers over the P2P network with CometBFT "
          + "state sync. Exactly one of s3 and stateSync is set.")
      StateSyncSource stateSync,
      @JsonPropertyDescription("How long the validator set at the snapshot's height is trusted, as a Go duration "
          + "such as 168h0m0s; it must cover the snapshot's age. When unset, the sidecar's default applies.")
      String trustPeriod,
      @JsonPropertyDescription("How many blocks older than the snapshot to fetch from peers after the restore. "
          + "When unset, none.")
      Long backfillBlocks,
      @JsonPropertyDescription("A seid image for a one-shot bootstrap Job that restores an s3 snapshot and syncs "
          + "to its targetHeight before the node starts. When unset, there is no bootstrap Job.")
      String bootstrapImage) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record S3SnapshotSource(
      @JsonPropertyDescription("The block height the node syncs to after restoring the snapshot. At least 1.")
      @Required @Min(1) Long targetHeight) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StateSyncSource() {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SnapshotGenerationConfig(
      @JsonPropertyDescription("Takes CometBFT (Tendermint) state-sync snapshots, kept on the node's data volume. "
          + "When unset, none are taken.")
      TendermintSnapshotGenerationConfig tendermint) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TendermintSnapshotGenerationConfig(
      @JsonPropertyDescription("How many of the newest snapshots to keep on disk. At least 1, and at least 2 "
          + "with publish.")
      @Required @Min(1) Integer keepRecent,
      @JsonPropertyDescription("When set (publish: {}), completed snapshots are uploaded to the platform's "
          + "snapshot bucket under the chain ID. When unset, they stay on disk only.")
      TendermintSnapshotPublishConfig publish) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TendermintSnapshotPublishConfig() {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ResultExportConfig(
      @JsonPropertyDescription("Uploads the replayer's block results in pages to the platform's result-export "
          + "bucket and checks each page's app hash against the canonical chain; the export ends at the first "
          + "divergence.")
      ShadowResultConfig shadowResult) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShadowResultConfig(
      @JsonPropertyDescription("The HTTP RPC endpoint of a node of the canonical chain to compare results with, "
          + "e.g. http://rpc.example.com:26657.")
      @Required @Size(min = 1) String canonicalRpc) {
  }
}
