package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
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

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FullNodeSpec(SnapshotSource snapshot, SnapshotGenerationConfig snapshotGeneration) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ArchiveSpec(SnapshotGenerationConfig snapshotGeneration) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReplayerSpec(@Required SnapshotSource snapshot, ResultExportConfig resultExport) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.s3) ? 1 : 0) + (has(self.stateSync) ? 1 : 0) == 1",
      message = "exactly one of s3 or stateSync must be set")
  public record SnapshotSource(
      S3SnapshotSource s3,
      StateSyncSource stateSync,
      String trustPeriod,
      Long backfillBlocks,
      String bootstrapImage) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record S3SnapshotSource(@Required @Min(1) Long targetHeight) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StateSyncSource() {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SnapshotGenerationConfig(TendermintSnapshotGenerationConfig tendermint) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TendermintSnapshotGenerationConfig(
      @Required @Min(1) Integer keepRecent, TendermintSnapshotPublishConfig publish) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TendermintSnapshotPublishConfig() {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ResultExportConfig(ShadowResultConfig shadowResult) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShadowResultConfig(@Required @Size(min = 1) String canonicalRpc) {
  }
}
