package dev.ensemble.metrics;

import dev.ensemble.pools.EndpointHealth;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.LimiterStatus;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.CachePredictions;
import dev.ensemble.routing.ModelRouter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Gauges and function counters read at scrape time from state other components already keep: endpoint
 * circuits and disabled keys (the pools' health snapshots), the rate limiter's mode and fallbacks, routing
 * decisions by reason, and cache-prediction outcomes. Nothing here is written on the request path.
 * {@link #refresh} registers the counters of routing reasons seen since the last call; safe from any thread.
 */
final class StateMeters {

  private final MeterRegistry registry;
  private final ModelRouter router;
  private final Set<String> reasons = ConcurrentHashMap.newKeySet();
  private final Map<String, List<Meter>> byEndpoint = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  StateMeters(MeterRegistry registry, Collection<ProviderPool> pools, ModelRouter router, CachePredictions predictions,
      RateLimiter limiter, LongSupplier clock) {
    this.registry = registry;
    this.router = router;
    this.clock = clock;
    for (ProviderPool pool : pools) {
      for (Endpoint e : pool.endpoints()) {
        register(pool, e);
      }
    }
    Gauge.builder(MetricNames.LIMITER_MODE, limiter, l -> mode(l.status().mode()))
        .description("Where rate-limit admissions are counted: 0 local, 1 redis, 2 degraded (redis failing, local fair share)")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder(MetricNames.LIMITER_FALLBACKS, limiter, l -> l.status().fallbacks())
        .description("Admissions decided locally because Redis failed or was down")
        .register(registry);
    FunctionCounter.builder(MetricNames.CACHE_PREDICTIONS, predictions, CachePredictions::confirmed)
        .description("Prompt-cache hits routing counted on, by whether the provider's reported cache reads confirmed them")
        .tag("outcome", "confirmed").register(registry);
    FunctionCounter.builder(MetricNames.CACHE_PREDICTIONS, predictions, CachePredictions::missed)
        .tag("outcome", "missed").register(registry);
    FunctionCounter.builder(MetricNames.CACHE_PREDICTIONS, predictions, CachePredictions::unpredicted)
        .tag("outcome", "unpredicted").register(registry);
    refresh();
  }

  /** The circuit and key gauges of one endpoint, at start or when it is added at run time. */
  void register(ProviderPool pool, Endpoint e) {
    String id = e.id();
    Meter circuit = Gauge.builder(MetricNames.CIRCUIT_STATE, pool, p -> circuit(p.health().getOrDefault(id, EndpointHealth.NEW), clock.getAsLong()))
        .description("Circuit of the endpoint: 0 closed, 1 half-open (a probe may pass), 2 open")
        .tags("provider", pool.name(), "endpoint", id)
        .strongReference(true)
        .register(registry);
    Meter key = Gauge.builder(MetricNames.KEY_DISABLED, pool, p -> p.health().getOrDefault(id, EndpointHealth.NEW).keyDisabled() ? 1 : 0)
        .description("1 when the provider rejected the endpoint's key and it gets no traffic")
        .tags("provider", pool.name(), "endpoint", id)
        .strongReference(true)
        .register(registry);
    byEndpoint.put(pool.name() + "/" + id, List.of(circuit, key));
  }

  void unregister(ProviderPool pool, Endpoint e) {
    List<Meter> meters = byEndpoint.remove(pool.name() + "/" + e.id());
    if (meters != null) {
      meters.forEach(registry::remove);
    }
  }

  /** Registers a counter for every routing reason that appeared since the last call. */
  void refresh() {
    for (String reason : router.decisionCounts().keySet()) {
      if (reasons.add(reason)) {
        FunctionCounter.builder(MetricNames.ROUTING_DECISIONS, router, r -> r.decisionCounts().getOrDefault(reason, 0L))
            .description("Routing decisions by reason (cache_affinity, least_used, failover:<cause>, ...)")
            .tag("reason", reason)
            .register(registry);
      }
    }
  }

  static int circuit(EndpointHealth health, long now) {
    if (health.openUntil() == 0) {
      return 0;
    }
    return now >= health.openUntil() ? 1 : 2;
  }

  private static int mode(LimiterStatus.Mode mode) {
    return switch (mode) {
      case LOCAL -> 0;
      case REDIS -> 1;
      case DEGRADED -> 2;
    };
  }
}
