package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/** What the controller does, for Prometheus: reconciles by outcome and latency, and every write by kind and verb. */
public final class ControllerMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  ControllerMetrics() {
    // heap and CPU of the process, the usual JVM series
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** Runs one reconcile of {@code kind}, recording its outcome ({@code completed} or {@code failed}) and latency. */
  <P extends HasMetadata> UpdateControl<P> reconcile(String kind, Supplier<UpdateControl<P>> converge) {
    long started = System.nanoTime();
    String outcome = "failed";
    try {
      UpdateControl<P> control = converge.get();
      outcome = "completed";
      return control;
    } finally {
      reconciled(kind, outcome, Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private void reconciled(String controller, String outcome, Duration elapsed) {
    Timer.builder("sei_controller_reconciles")
        .description("Reconciles by controller and outcome")
        .tag("controller", controller).tag("outcome", outcome)
        .register(registry).record(elapsed);
  }

  /** One API write (an idle cluster sees none). */
  void wrote(String kind, String verb) {
    Counter.builder("sei_controller_writes")
        .description("Writes to the API by kind and verb")
        .tag("kind", kind).tag("verb", verb)
        .register(registry).increment();
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  String scrape() {
    return registry.scrape();
  }
}
