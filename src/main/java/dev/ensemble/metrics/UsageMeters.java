package dev.ensemble.metrics;

import dev.ensemble.model.Usage;
import dev.ensemble.routing.UsageReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Meters fed by the {@link UsageReport} published after every upstream attempt: tokens, cost, time to first
 * byte, the prompt-cache hit ratio and failovers. Called on one thread only (the {@link MetricsVerticle}'s
 * event loop), which owns the memory of recently failed attempts; the meters themselves are thread-safe.
 *
 * <p>A <b>failover</b> is counted when a request's attempt {@code n > 1} is reported: its attempt {@code n-1}
 * failed before any byte reached the client and the request was sent elsewhere (another endpoint of the
 * same provider, or another provider). It is tagged with the provider that failed and {@code cause} = the
 * status the failed attempt would have given the client: {@code 429} (rate limited upstream), {@code 502}
 * (upstream error, bad key, unreachable), {@code 503} (overloaded), {@code 504} (timeout). A request whose
 * every attempt failed counts a failover per retry, not for its last failure. Refusals by the gateway's
 * own rate limiter are not upstream attempts; they count in {@code ensemble_ratelimit_rejections_total}.
 *
 * <p>The {@code model} tag is a name from the configuration (a catalog model, or {@code provider/model} for an
 * upstream id the catalog lists) or {@code other}: a client writing {@code provider/<anything>} adds no series.
 */
final class UsageMeters {

  /** Failed attempts remembered until the request's next attempt shows up; the oldest are forgotten first. */
  static final int REMEMBERED_FAILURES = 10_000;
  private static final Duration[] TTFB_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

  private final MeterRegistry registry;
  private final Predicate<String> configuredModel;
  private final PromptCacheShare overall = new PromptCacheShare();
  private final Map<String, PromptCacheShare> byProvider = new HashMap<>();
  private final Map<String, UsageReport> failed = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, UsageReport> eldest) {
      return size() > REMEMBERED_FAILURES;
    }
  };

  UsageMeters(MeterRegistry registry, Collection<String> providers, Predicate<String> configuredModel) {
    this.registry = registry;
    this.configuredModel = configuredModel;
    register(MetricNames.ALL_PROVIDERS, overall);
    providers.forEach(this::shareOf);
  }

  void record(UsageReport report) {
    if (report.attempt() > 1) {
      UsageReport previous = failed.remove(report.requestId());
      Counter.builder(MetricNames.FAILOVERS)
          .description("Client requests that left a provider for another after a failed attempt, by the provider left and its status")
          .tags("provider", previous == null ? "unknown" : previous.provider(),
              "cause", previous == null ? "unknown" : Integer.toString(previous.status()))
          .register(registry)
          .increment();
    }
    if (!report.answered()) {
      failed.put(report.requestId(), report);
    }
    if (report.timeToFirstByteMs() >= 0) {
      Timer.builder(MetricNames.TIME_TO_FIRST_BYTE)
          .description("Time from sending an upstream request to the first byte written to the client")
          .tags("provider", report.provider(), "endpoint", report.endpointId(), "status", Integer.toString(report.status()))
          .serviceLevelObjectives(TTFB_BUCKETS)
          .register(registry)
          .record(report.timeToFirstByteMs(), TimeUnit.MILLISECONDS);
    }
    Usage usage = report.usage();
    if (usage != null && usage.isKnown()) {
      Tags tags = Tags.of("provider", report.provider(), "model", modelLabel(report.model()));
      tokens(tags, "input", usage.input());
      tokens(tags, "output", usage.output());
      tokens(tags, "cache_read", usage.cacheRead());
      tokens(tags, "cache_write", usage.cacheWrite());
      Counter.builder(MetricNames.COST_USD)
          .description("USD spent upstream, from the reported usage at the catalog's prices")
          .tags(tags)
          .register(registry)
          .increment(report.costUsd().doubleValue());
      overall.add(usage);
      shareOf(report.provider()).add(usage);
    }
  }

  /** The model's own name when the configuration gives it, else {@value MetricNames#OTHER_MODEL}: labels stay bounded. */
  private String modelLabel(String model) {
    return model != null && configuredModel.test(model) ? model : MetricNames.OTHER_MODEL;
  }

  private void tokens(Tags tags, String kind, Long count) {
    Counter.builder(MetricNames.TOKENS)
        .description("Tokens upstreams reported, by kind: input (uncached), output, cache_read, cache_write")
        .tags(tags.and("kind", kind))
        .register(registry)
        .increment(Usage.orZero(count));
  }

  private PromptCacheShare shareOf(String provider) {
    return byProvider.computeIfAbsent(provider, p -> register(p, new PromptCacheShare()));
  }

  private PromptCacheShare register(String provider, PromptCacheShare share) {
    Gauge.builder(MetricNames.CACHE_HIT_RATIO, share, PromptCacheShare::ratio)
        .description("Share of requests answered from a cache: provider prompt caches (type=prompt, tokens) or the gateway's "
            + "response cache (type=exact|semantic, requests)")
        .tag("provider", provider)
        .tag("route", MetricNames.ALL_PROVIDERS)
        .tag("type", "prompt")
        .strongReference(true)
        .register(registry);
    return share;
  }

  static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return out;
  }
}
