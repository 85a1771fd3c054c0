package io.sei.p2p.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Request counts and latency by endpoint and decision ({@code sei_webhook_reviews_seconds_*}). */
final class ReviewMetrics {

  private final MeterRegistry registry;
  /** Registered once per endpoint and decision, so that answering a review allocates no meter. */
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  ReviewMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String endpoint, String decision, Duration elapsed) {
    timers.computeIfAbsent(endpoint + " " + decision, key -> Timer.builder("sei_webhook_reviews")
            .description("Admission reviews answered, by endpoint and decision")
            .tag("endpoint", endpoint)
            .tag("decision", decision)
            .publishPercentileHistogram()
            .register(registry))
        .record(elapsed);
  }
}
