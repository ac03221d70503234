package dev.ensemble.routing;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.Usage;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.affinity.AffinityTable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The router's actor and the only writer of the state {@link ModelRouter} reads on every event loop. From the
 * usage report published after each request it
 * <ul>
 *   <li>records the endpoint's load of the last minute ({@link EndpointLoad});</li>
 *   <li>corrects the endpoint's token-rate admission (local limits, or the exact cluster-wide limiter) from
 *       the estimate to the reported usage;</li>
 *   <li>learns cache affinity: the prefixes the request made the provider cache now belong to the request's
 *       cache domain for the provider's TTL, and a prefix it hit is refreshed (providers extend a TTL on use);</li>
 *   <li>checks the prediction: a hit routing counted on either showed up as cache-read tokens or did not
 *       ({@link CachePredictions}).</li>
 * </ul>
 * In a cluster, the reports of other nodes arrive on {@link Addresses#ROUTING_PEER_USAGE}: from those it learns
 * cache affinity only, mapped to this node's domain of the same endpoint. Load and token corrections stay per
 * node, and so do the prediction counters.
 *
 * <p>This node's reports arrive in the router's inbox ({@link ModelRouter#learn}: a lock-free queue the request path
 * fills before the client's answer; a report that taught cache affinity wakes this verticle after the answer's task,
 * any other waits for its next drain, at most {@value #DRAIN_MS} ms); each one, once learnt, is published on
 * {@link Addresses#ROUTING_USAGE} for observers (the cluster bridge, the metrics verticle's tap). A status question and
 * a peer's report are handled after the inbox was drained.
 */
public final class RouterVerticle extends VerticleBase {

  /** How often the verticle takes in the reports handed over without a wake (those that taught no affinity), at the latest. */
  static final long DRAIN_MS = 100;

  private final EndpointLoad load;
  private final Map<String, EndpointLimiter> limiters;
  private final AffinityTable affinity;
  private final CachePredictions predictions;
  private final LongSupplier clock;
  private final ModelRouter router;
  private final RateLimiter exact;
  private long drainTimer = -1;

  public RouterVerticle(ModelRouter router, EndpointLoad load, Map<String, EndpointLimiter> limiters, RateLimiter exact,
      AffinityTable affinity, CachePredictions predictions, LongSupplier clock) {
    this.router = router;
    this.exact = exact;
    this.load = load;
    this.limiters = limiters;
    this.affinity = affinity;
    this.predictions = predictions;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    router.reports().attach(context, report -> {
      learn(report);
      vertx.eventBus().publish(Addresses.ROUTING_USAGE, report);
    });
    drainTimer = vertx.setPeriodic(DRAIN_MS, t -> router.reports().drain());
    vertx.eventBus().<UsageReport>localConsumer(Addresses.ROUTING_PEER_USAGE, msg -> {
      router.reports().drain();
      learnFromPeer(msg.body());
    });
    return vertx.eventBus().<Void>localConsumer(Addresses.ROUTING_STATUS, msg -> {
      router.reports().drain();
      msg.reply(status());
    }).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(drainTimer);
    router.reports().drain();
    return Future.succeededFuture();
  }

  private JsonObject status() {
    JsonObject decisions = new JsonObject();
    router.decisionCounts().forEach(decisions::put);
    return new JsonObject()
        .put("affinity", new JsonObject().put("entries", affinity.size()).put("capacity", affinity.capacity())
            .put("evictions", affinity.evictions()))
        .put("cache_predictions", new JsonObject().put("confirmed", predictions.confirmed()).put("missed", predictions.missed())
            .put("unpredicted", predictions.unpredicted()))
        .put("decisions", decisions);
  }

  private void learn(UsageReport report) {
    if (report.endpointId() == null) {
      return;
    }
    long now = clock.getAsLong();
    Usage usage = report.usage();
    long actual = usage.promptTotal() + Usage.orZero(usage.output());
    load.record(report.endpointId(), actual, report.finishedAtMillis());
    EndpointLimiter limiter = limiters.get(report.endpointId());
    if (report.estimatedTokens() > 0) {
      if (limiter != null) {
        limiter.correctTokens(actual - report.estimatedTokens(), now);
      }
      exact.correct(report.endpointId(), actual - report.estimatedTokens());
    }
    CachePlan plan = report.plan();
    if (plan == null || !report.answered()) {
      return;
    }
    learnAffinity(plan, plan.domain(), now);
    if (usage.isKnown()) {
      predictions.record(plan.predictedHit(), Usage.orZero(usage.cacheRead()) > 0);
    }
  }

  private void learnFromPeer(UsageReport report) {
    CachePlan plan = report.plan();
    if (plan == null || !report.answered() || report.endpointId() == null) {
      return;
    }
    int domain = router.cacheDomainOf(report.provider(), report.endpointId());
    if (domain >= 0) {
      learnAffinity(plan, domain, clock.getAsLong());
    }
  }

  private void learnAffinity(CachePlan plan, int domain, long now) {
    for (long hash : plan.writeHashes()) {
      affinity.put(hash, domain, plan.ttlSeconds(), now);
    }
    if (plan.predictedHit()) {
      affinity.put(plan.predictedHash(), domain, plan.ttlSeconds(), now);
    }
  }
}
