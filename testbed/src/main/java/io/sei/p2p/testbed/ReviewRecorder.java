package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes AdmissionReview bodies that the real apiserver sent as JSON fixtures for the webhook's replay tests.
 * Active only when {@code -Dsei.record.reviews=<folder>} is set (see the webhook module's README section).
 */
public final class ReviewRecorder {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReviewRecorder() {
  }

  /** Saves the last review {@code webhook} received at {@code path} as {@code <name>.json}. */
  public static void record(LocalWebhook webhook, String path, String name) {
    String folder = System.getProperty("sei.record.reviews");
    if (folder == null || folder.isBlank()) {
      return;
    }
    List<byte[]> seen = webhook.reviews(path);
    if (seen.isEmpty()) {
      throw new IllegalStateException("no review arrived at " + path + " to record as " + name);
    }
    try {
      Path file = Files.createDirectories(Path.of(folder)).resolve(name + ".json");
      JSON.writeValue(file.toFile(), JSON.readTree(seen.get(seen.size() - 1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
