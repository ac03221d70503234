package dev.ensemble.metrics;

import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.model.ErrorClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Meters fed by the {@link AttemptOutcome} published to a provider's pool after every upstream attempt: how
 * long upstream calls took, and the gateway's own rate limiter refusing an endpoint (an outcome with error
 * type {@code local_rate_limit}, which never reached the provider). Thread-safe: each series' meter is registered
 * once, on first use, in a concurrent map keyed by its label values, and only looked up afterwards.
 */
final class OutcomeMeters {

  /** The error type of an attempt the gateway's own limiter refused. */
  static final String LOCAL_RATE_LIMIT = "local_rate_limit";
  private static final Duration[] BUCKETS = UsageMeters.seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);

  private final MeterRegistry registry;
  // Each series' timer, registered on first use and then only looked up (label values from the config: bounded).
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> localRejections = new ConcurrentHashMap<>();

  OutcomeMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(AttemptOutcome outcome) {
    if (LOCAL_RATE_LIMIT.equals(outcome.errorType())) {
      localRejections.computeIfAbsent(outcome.provider(), p -> MetricNames.rateLimitRejections("endpoint", p).register(registry))
          .increment();
      return;
    }
    Series series = new Series(outcome.provider(), outcome.endpointId(), outcome.status(),
        outcome.success() ? null : outcome.errorClass());
    timers.computeIfAbsent(series, this::register).record(outcome.latencyMs(), TimeUnit.MILLISECONDS);
  }

  /** The label values of an upstream-duration timer; {@code errorClass} null for a success. */
  private record Series(String provider, String endpoint, int status, ErrorClass errorClass) {
  }

  private Timer register(Series series) {
    return Timer.builder(MetricNames.UPSTREAM_DURATION)
        .description("Upstream attempts from sending the request to the end of the answer (or the failure)")
        .tags("provider", series.provider(), "endpoint", series.endpoint(),
            "status", series.status() == 0 ? "none" : Integer.toString(series.status()),
            "outcome", series.errorClass() == null ? "ok" : series.errorClass().name().toLowerCase(Locale.ROOT))
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }
}
