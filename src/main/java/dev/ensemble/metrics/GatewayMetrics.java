package dev.ensemble.metrics;

import dev.ensemble.bus.Inbox;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.Secret;
import dev.ensemble.logging.LogBuffers;
import dev.ensemble.model.GatewayError;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.CachePredictions;
import dev.ensemble.routing.ModelRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The metrics of one node, in a {@link PrometheusMeterRegistry} the node owner creates and passes in (the same
 * registry Vert.x reports into when built with {@link InstrumentedVertx}). Binds the JVM meters and the
 * gauges over the node's state at construction; counts the request path's events through the
 * {@link #verticle()} it hands out; serves {@link #scrapeHandler}. The only meters touched on an event loop
 * of the request path are the routing timer and the router's 429 counter ({@link #timeRouting}).
 *
 * <p>Prometheus names and tags (Micrometer adds {@code _total} to counters and {@code _seconds} to timers):
 * <ul>
 *   <li>{@code router_request_duration_seconds} histogram — {@link ModelRouter#decide} per client request
 *       (failover decisions excluded), buckets from 1 µs to 1 s;</li>
 *   <li>{@code ensemble_upstream_duration_seconds{provider,endpoint,status,outcome}} — whole upstream attempts;</li>
 *   <li>{@code ensemble_time_to_first_byte_seconds{provider,endpoint,status}} — attempt start to the first byte
 *       written to the client;</li>
 *   <li>{@code ensemble_tokens_total{provider,model,kind}} (kind: input = uncached input, output, cache_read,
 *       cache_write) and {@code ensemble_cost_usd_total{provider,model}} — what upstreams reported; {@code model} is
 *       a configured name or {@code other} (see {@link UsageMeters});</li>
 *   <li>{@code cache_hit_ratio{provider}} — see {@link PromptCacheShare}; {@code provider="all"} is the node total;</li>
 *   <li>{@code provider_failover_total{provider,cause}} — see {@link UsageMeters};</li>
 *   <li>{@code ensemble_ratelimit_rejections_total{scope,provider}} — {@code scope="endpoint"}: the exact
 *       limiter refused one endpoint (the request may go on elsewhere); {@code scope="request",provider="none"}:
 *       every endpoint of the model was at its limit and the client got 429;</li>
 *   <li>{@code ensemble_circuit_state{provider,endpoint}} (0 closed, 1 half-open, 2 open),
 *       {@code ensemble_endpoint_key_disabled}, {@code ensemble_ratelimit_mode} (0 local, 1 redis, 2 degraded),
 *       {@code ensemble_ratelimit_fallbacks_total}, {@code ensemble_routing_decisions_total{reason}},
 *       {@code ensemble_cache_predictions_total{outcome}};</li>
 *   <li>{@code ensemble_log_lines_dropped_total{appender,level}}, {@code ensemble_log_lines_written_total{appender}},
 *       {@code ensemble_log_queue_depth{appender}}, {@code ensemble_log_queue_capacity{appender}} — see {@link #bindLogs};</li>
 *   <li>{@code ensemble_responses_awaiting_store}, {@code ensemble_responses_unstored_total} — see
 *       {@link #bindResponseStoreQueue};</li>
 *   <li>{@code jvm_*}, {@code process_*}, {@code system_*} (CPU ones from {@link ProcessorMeters}), and with an
 *       {@link InstrumentedVertx} {@code vertx_*}.</li>
 * </ul>
 */
public final class GatewayMetrics implements AutoCloseable {

  private static final Duration[] ROUTER_BUCKETS = UsageMeters.seconds(
      1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);

  private final PrometheusMeterRegistry registry;
  private final EnsembleConfig config;
  private final Collection<ProviderPool> pools;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Timer routing;
  private final Counter routerRejections;
  private final StateMeters state;
  private final ModelRouter router;

  public GatewayMetrics(PrometheusMeterRegistry registry, EnsembleConfig config, Collection<ProviderPool> pools, ModelRouter router,
      CachePredictions predictions, RateLimiter limiter) {
    this.registry = registry;
    this.config = config;
    this.pools = new ArrayList<>(pools);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMeters().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.routing = Timer.builder(MetricNames.ROUTER_DURATION)
        .description("Time to choose an endpoint for a client request (ModelRouter.decide)")
        .serviceLevelObjectives(ROUTER_BUCKETS)
        .register(registry);
    this.routerRejections = MetricNames.rateLimitRejections("request", MetricNames.NO_PROVIDER).register(registry);
    this.router = router;
    this.state = new StateMeters(registry, this.pools, router, predictions, limiter, System::currentTimeMillis);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Runs a routing decision, timing it; a 429 from the router (every endpoint at its limit) is counted. */
  public <T> T timeRouting(Supplier<T> decide) {
    long start = System.nanoTime();
    try {
      return decide.get();
    } catch (GatewayError e) {
      if (e.status() == 429) {
        routerRejections.increment();
      }
      throw e;
    } finally {
      routing.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** The node's consumer of usage reports and attempt outcomes; deploy exactly one. */
  public MetricsVerticle verticle() {
    List<String> providers = pools.stream().map(ProviderPool::name).toList();
    List<Inbox<?>> senders = new ArrayList<>();
    senders.add(router.reports());
    pools.forEach(pool -> senders.add(pool.outcomes()));
    return new MetricsVerticle(new UsageMeters(registry, providers, router::isConfiguredName), new OutcomeMeters(registry), providers,
        senders);
  }

  /** {@code GET /metrics}, guarded by {@code metricsKey} when it is set. */
  public Handler<RoutingContext> scrapeHandler(Secret metricsKey) {
    return new MetricsHandler(this, metricsKey);
  }

  /** Registers the meters of the node's logging ring buffers (none when logging is synchronous); call once. */
  public void bindLogs(LogBuffers logs) {
    LogMeters.register(registry, logs);
  }

  /**
   * Registers the meters of the response store's queue: answers waiting to be stored, and answers not stored
   * because the queue was full when they finished (their clients had received them whole); call once.
   */
  public void bindResponseStoreQueue(IntSupplier awaiting, LongSupplier unstored) {
    Gauge.builder(MetricNames.RESPONSES_AWAITING_STORE, awaiting, IntSupplier::getAsInt)
        .description("Finished answers waiting for the response store").register(registry);
    FunctionCounter.builder(MetricNames.RESPONSES_UNSTORED, unstored, LongSupplier::getAsLong)
        .description("Answers not stored because the store's queue was full (their clients had received them)").register(registry);
  }

  /** Registers the per-endpoint gauges of an endpoint added at run time. */
  public void endpointAdded(ProviderPool pool, Endpoint endpoint) {
    state.register(pool, endpoint);
  }

  /** Removes the per-endpoint gauges of an endpoint that is gone. */
  public void endpointRemoved(ProviderPool pool, Endpoint endpoint) {
    state.unregister(pool, endpoint);
  }

  void refresh() {
    state.refresh();
  }

  /** Stops the JVM listeners; the registry stays with its owner. */
  @Override
  public void close() {
    gc.close();
  }
}
