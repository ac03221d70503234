package dev.ensemble.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The response cache's meters: {@code cache_hit_ratio{provider="gateway", route, type}} (hits over lookups that read
 * the cache, bypasses excluded; the same gauge as the provider prompt cache's, which carries {@code type="prompt"}),
 * {@code ensemble_response_cache_lookups_total{route, type, status}}, {@code ensemble_response_cache_bypass_total{route,
 * reason}}, {@code ensemble_response_cache_saved_usd_total{route}}, the semantic similarity histogram
 * {@code ensemble_response_cache_similarity{route}} (the best neighbour of every semantic lookup that found one), audits
 * ({@code ensemble_response_cache_audits_total{route, verdict}}, {@code ensemble_response_cache_audit_similarity}) and the
 * drift gauge {@code ensemble_response_cache_drift{route}} (1 − mean similarity of cached to fresh answers over the
 * audits since start). Thread-safe: adders and counters only.
 */
public final class CacheMeters {

  private static final double[] SIMILARITY_BUCKETS = {0.5, 0.6, 0.7, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 0.99, 1.0};

  private final MeterRegistry registry;
  private final Map<String, Ratio> ratios = new ConcurrentHashMap<>();
  private final Map<String, Drift> drifts = new ConcurrentHashMap<>();

  public CacheMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  public void lookup(CachePolicy policy, CacheStatus status) {
    String type = policy.config().type();
    registry.counter("ensemble.response.cache.lookups", "route", policy.label(), "type", type, "status", status.name()).increment();
    if (status == CacheStatus.BYPASS) {
      return;
    }
    Ratio ratio = ratios.computeIfAbsent(policy.label() + "|" + type, k -> {
      Ratio r = new Ratio();
      Gauge.builder("cache.hit.ratio", r, Ratio::value)
          .description("Share of requests answered from a cache: provider prompt caches (type=prompt, tokens) or the gateway's "
              + "response cache (type=exact|semantic, requests)")
          .tag("provider", "gateway").tag("route", policy.label()).tag("type", type).strongReference(true).register(registry);
      return r;
    });
    ratio.lookups.increment();
    if (status == CacheStatus.HIT || status == CacheStatus.SEMANTIC_HIT) {
      ratio.hits.increment();
    }
  }

  public void bypass(CachePolicy policy, String reason) {
    registry.counter("ensemble.response.cache.bypass", "route", policy.label(), "reason", reason).increment();
  }

  public void saved(CachePolicy policy, BigDecimal usd) {
    Counter.builder("ensemble.response.cache.saved.usd").description("USD the upstream would have charged for answers served from the cache")
        .tag("route", policy.label()).register(registry).increment(usd.doubleValue());
  }

  public void similarity(CachePolicy policy, double similarity) {
    DistributionSummary.builder("ensemble.response.cache.similarity").description("Best cosine similarity of each semantic lookup")
        .tag("route", policy.label()).serviceLevelObjectives(SIMILARITY_BUCKETS).register(registry).record(similarity);
  }

  public void guardRefused(CachePolicy policy, String guard) {
    registry.counter("ensemble.response.cache.guard.refusals", "route", policy.label(), "guard", guard).increment();
  }

  public void audit(CachePolicy policy, double similarity, boolean agreed) {
    registry.counter("ensemble.response.cache.audits", "route", policy.label(), "verdict", agreed ? "agree" : "disagree").increment();
    DistributionSummary.builder("ensemble.response.cache.audit.similarity").description("Similarity of a cached answer to a fresh one")
        .tag("route", policy.label()).serviceLevelObjectives(SIMILARITY_BUCKETS).register(registry).record(similarity);
    Drift drift = drifts.computeIfAbsent(policy.label(), k -> {
      Drift d = new Drift();
      Gauge.builder("ensemble.response.cache.drift", d, Drift::value)
          .description("1 - mean similarity of cached to fresh answers over the audits since start")
          .tag("route", policy.label()).strongReference(true).register(registry);
      return d;
    });
    drift.sum.add(similarity);
    drift.count.increment();
  }

  /** This node's audit figures per route: {@code {<route>: {audits, similarity_sum}}}. */
  public JsonObject driftCounts() {
    JsonObject out = new JsonObject();
    drifts.forEach((route, d) -> out.put(route, new JsonObject().put("audits", d.count.sum()).put("similarity_sum", d.sum.sum())));
    return out;
  }

  /**
   * Registers {@code ensemble_response_cache_fleet_drift{route}}: 1 − mean similarity of cached to fresh answers over
   * the audits of the whole fleet, as {@code fleetDrift} computes it for a route (NaN before its first audit).
   */
  public void bindFleetDrift(String route, ToDoubleFunction<String> fleetDrift) {
    Gauge.builder("ensemble.response.cache.fleet.drift", route, fleetDrift)
        .description("1 - mean similarity of cached to fresh answers over the audits of every node of the fleet")
        .tag("route", route).strongReference(true).register(registry);
  }

  public void bindShelf(CacheShelf shelf) {
    Gauge.builder("ensemble.response.cache.entries", shelf, CacheShelf::size).description("Entries in this node's copy of the response cache")
        .strongReference(true).register(registry);
  }

  private static final class Ratio {
    final LongAdder hits = new LongAdder();
    final LongAdder lookups = new LongAdder();

    double value() {
      long n = lookups.sum();
      return n == 0 ? Double.NaN : (double) hits.sum() / n;
    }
  }

  private static final class Drift {
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    double value() {
      long n = count.sum();
      return n == 0 ? Double.NaN : 1.0 - sum.sum() / n;
    }
  }
}
