package dev.ensemble.metrics;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Usage;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.pools.EndpointHealth;
import dev.ensemble.routing.UsageReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageMetersTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final UsageMeters meters = new UsageMeters(registry, List.of("a", "b"), model -> true);

  private static UsageReport report(String requestId, int attempt, String provider, int status, boolean answered, Usage usage) {
    // m costs $2.00 per million input tokens and $10.00 per million output tokens
    BigDecimal cost = BigDecimal.valueOf(Usage.orZero(usage.input()) * 2 + Usage.orZero(usage.output()) * 10, 6);
    return new UsageReport(requestId, attempt, provider, provider + "-1", "m", usage, cost, status, answered, answered ? 12 : -1, 0, 0, null);
  }

  private Scrape scrape() {
    return new Scrape(registry.scrape());
  }

  @Test
  void countsAFailoverOnceTheNextAttemptIsReportedTaggedWithTheProviderThatFailed() {
    meters.record(report("r1", 1, "a", 503, false, Usage.UNKNOWN));
    assertEquals(0, scrape().sum("provider_failover_total"), "a failure alone is not a failover: the request may end there");

    meters.record(report("r1", 2, "b", 504, false, Usage.UNKNOWN));
    meters.record(report("r1", 3, "a", 200, true, new Usage(1L, 1L, null, null)));

    assertEquals(1, scrape().value("provider_failover_total", "provider", "a", "cause", "503"));
    assertEquals(1, scrape().value("provider_failover_total", "provider", "b", "cause", "504"));
  }

  @Test
  void theFailoverFamilyIsExposedAtZeroForEveryProviderAndCauseBeforeAnyFailover() {
    for (String provider : List.of("a", "b")) {
      for (String cause : List.of("429", "502", "503", "504")) {
        assertEquals(0, scrape().value("provider_failover_total", "provider", provider, "cause", cause));
      }
    }
  }

  @Test
  void aFailoverWhoseFailedAttemptWasForgottenCountsAsUnknown() {
    meters.record(report("r2", 2, "b", 200, true, new Usage(1L, 1L, null, null)));

    assertEquals(1, scrape().value("provider_failover_total", "provider", "unknown", "cause", "unknown"));
  }

  @Test
  void forgetsTheOldestFailuresBeyondItsMemory() {
    for (int i = 0; i <= UsageMeters.REMEMBERED_FAILURES; i++) {
      meters.record(report("f" + i, 1, "a", 502, false, Usage.UNKNOWN));
    }
    meters.record(report("f0", 2, "b", 200, true, Usage.UNKNOWN));
    meters.record(report("f1", 2, "b", 200, true, Usage.UNKNOWN));

    assertEquals(1, scrape().value("provider_failover_total", "provider", "unknown", "cause", "unknown"));
    assertEquals(1, scrape().value("provider_failover_total", "provider", "a", "cause", "502"));
  }

  @Test
  void cacheHitRatioIsCacheReadsOverWholePromptsAndNaNBeforeAnyPrompt() {
    assertTrue(Double.isNaN(scrape().value("cache_hit_ratio", "provider", "all")));

    meters.record(report("c1", 1, "a", 200, true, new Usage(100L, 5L, 300L, 100L)));
    meters.record(report("c2", 1, "b", 200, true, new Usage(500L, 5L, null, null)));

    assertEquals(300.0 / 1_000, scrape().value("cache_hit_ratio", "provider", "all"), 1e-12);
    assertEquals(300.0 / 500, scrape().value("cache_hit_ratio", "provider", "a"), 1e-12);
    assertEquals(0, scrape().value("cache_hit_ratio", "provider", "b"));
  }

  @Test
  void countsTheReportedCostUnderTheRequestedModel() {
    meters.record(new UsageReport("d1", 1, "b", "b-1", "b/up-b", new Usage(1_000_000L, 0L, null, null), new BigDecimal("2.0"), 200, true,
        5, 0, 0, null));

    assertEquals(2.0, scrape().value("ensemble_cost_usd_total", "provider", "b", "model", "b/up-b"), 1e-12);
  }

  @Test
  void failedAttemptsWithoutUsageCountNoTokensAndNoTimeToFirstByte() {
    meters.record(report("n1", 1, "a", 503, false, Usage.UNKNOWN));

    assertFalse(scrape().has("ensemble_tokens_total"));
    assertFalse(scrape().has("ensemble_time_to_first_byte_seconds_count"));
  }

  @Test
  void localRateLimitOutcomesAreRejectionsNotUpstreamCalls() {
    OutcomeMeters outcomes = new OutcomeMeters(registry);
    outcomes.record(new AttemptOutcome("a", "a-1", 429, ErrorClass.RATE_LIMITED, OutcomeMeters.LOCAL_RATE_LIMIT, 1_000L, 0));
    outcomes.record(new AttemptOutcome("a", "a-1", 0, ErrorClass.RETRYABLE, "timeout", null, 1_500));

    assertEquals(1, scrape().value("ensemble_ratelimit_rejections_total", "scope", "endpoint", "provider", "a"));
    assertEquals(1, scrape().sum("ensemble_upstream_duration_seconds_count"));
    assertEquals(1.5, scrape().value("ensemble_upstream_duration_seconds_sum", "status", "none", "outcome", "retryable"), 1e-9);
  }

  @Test
  void circuitStateIsClosedHalfOpenOrOpenByTheOpenUntilTime() {
    EndpointHealth open = new EndpointHealth(3, 3, 3, 503, "overloaded", 0, 900, "open", 2_000, 0, false);

    assertEquals(0, StateMeters.circuit(EndpointHealth.NEW, 1_000));
    assertEquals(2, StateMeters.circuit(open, 1_000));
    assertEquals(1, StateMeters.circuit(open, 2_000));
  }
}
