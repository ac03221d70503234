package dev.ensemble.metrics;

/**
 * Every meter name Ensemble registers, in Micrometer's dotted form; the Prometheus registry renders
 * {@code a.b.c} as {@code a_b_c} and adds {@code _total} to counters and {@code _seconds} to timers.
 */
final class MetricNames {

  static final String ROUTER_DURATION = "router.request.duration";
  static final String UPSTREAM_DURATION = "ensemble.upstream.duration";
  static final String TIME_TO_FIRST_BYTE = "ensemble.time.to.first.byte";
  static final String TOKENS = "ensemble.tokens";
  static final String REASONING_TOKENS = "ensemble.reasoning.tokens";
  static final String COST_USD = "ensemble.cost.usd";
  static final String CACHE_HIT_RATIO = "cache.hit.ratio";
  static final String FAILOVERS = "provider.failover";
  static final String RATE_LIMIT_REJECTIONS = "ensemble.ratelimit.rejections";
  static final String CIRCUIT_STATE = "ensemble.circuit.state";
  static final String KEY_DISABLED = "ensemble.endpoint.key.disabled";
  static final String LIMITER_MODE = "ensemble.ratelimit.mode";
  static final String LIMITER_FALLBACKS = "ensemble.ratelimit.fallbacks";
  static final String ROUTING_DECISIONS = "ensemble.routing.decisions";
  static final String CACHE_PREDICTIONS = "ensemble.cache.predictions";
  static final String LOG_LINES_DROPPED = "ensemble.log.lines.dropped";
  static final String LOG_LINES_WRITTEN = "ensemble.log.lines.written";
  static final String LOG_QUEUE_DEPTH = "ensemble.log.queue.depth";
  static final String LOG_QUEUE_CAPACITY = "ensemble.log.queue.capacity";
  static final String RESPONSES_AWAITING_STORE = "ensemble.responses.awaiting.store";
  static final String RESPONSES_UNSTORED = "ensemble.responses.unstored";

  /** The {@code provider} tag of {@link #CACHE_HIT_RATIO} over all providers together. */
  static final String ALL_PROVIDERS = "all";
  /** The {@code provider} tag of a request-level rate-limit rejection, which no single provider made. */
  static final String NO_PROVIDER = "none";
  /** The {@code model} tag of every model name the configuration does not give (clients could invent any number). */
  static final String OTHER_MODEL = "other";

  private MetricNames() {
  }

  /**
   * {@link #RATE_LIMIT_REJECTIONS} of one scope, built in one place: GatewayMetrics and OutcomeMeters both count
   * it, and a family needs the same description on every series.
   */
  static io.micrometer.core.instrument.Counter.Builder rateLimitRejections(String scope, String provider) {
    return io.micrometer.core.instrument.Counter.builder(RATE_LIMIT_REJECTIONS)
        .description("Requests refused by a rate limit: scope request = every endpoint of the model was at its limit"
            + " (the client got 429), scope endpoint = one endpoint's exact limit refused an attempt")
        .tags("scope", scope, "provider", provider);
  }
}
