package dev.ensemble.metrics;

import dev.ensemble.pools.AttemptOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Meters fed by the {@link AttemptOutcome} published to a provider's pool after every upstream attempt: how
 * long upstream calls took, and the gateway's own rate limiter refusing an endpoint (an outcome with error
 * type {@code local_rate_limit}, which never reached the provider). Thread-safe.
 */
final class OutcomeMeters {

  /** The error type of an attempt the gateway's own limiter refused. */
  static final String LOCAL_RATE_LIMIT = "local_rate_limit";
  private static final Duration[] BUCKETS = UsageMeters.seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);

  private final MeterRegistry registry;

  OutcomeMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(AttemptOutcome outcome) {
    if (LOCAL_RATE_LIMIT.equals(outcome.errorType())) {
      MetricNames.rateLimitRejections("endpoint", outcome.provider()).register(registry).increment();
      return;
    }
    Timer.builder(MetricNames.UPSTREAM_DURATION)
        .description("Upstream attempts from sending the request to the end of the answer (or the failure)")
        .tags("provider", outcome.provider(), "endpoint", outcome.endpointId(),
            "status", outcome.status() == 0 ? "none" : Integer.toString(outcome.status()),
            "outcome", outcome.success() ? "ok" : outcome.errorClass().name().toLowerCase(Locale.ROOT))
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(outcome.latencyMs(), TimeUnit.MILLISECONDS);
  }
}
