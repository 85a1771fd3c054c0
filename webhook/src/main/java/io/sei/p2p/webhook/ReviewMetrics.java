package io.sei.p2p.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Request counts and latency by endpoint and decision ({@code sei_webhook_reviews_seconds_*}). */
final class ReviewMetrics {

  private final MeterRegistry registry;

  ReviewMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String endpoint, String decision, Duration elapsed) {
    Timer.builder("sei_webhook_reviews")
        .description("Admission reviews answered, by endpoint and decision")
        .tag("endpoint", endpoint)
        .tag("decision", decision)
        .publishPercentileHistogram()
        .register(registry)
        .record(elapsed);
  }
}
