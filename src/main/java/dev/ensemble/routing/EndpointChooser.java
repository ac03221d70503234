package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.Strategy;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;

import java.math.BigDecimal;
import java.util.List;

/**
 * The choice of one endpoint among a model's candidates, the routing flow after model lookup: availability and rate
 * limits (key, failover exclusions, cooldown, circuit, one probe through a half-open one, room under the limits),
 * then cache affinity for {@code session_affinity} providers (a warm prefix worth more than its cost penalty), then
 * cost and load ({@link Balancer}), naming the reason. Reads the pools' snapshots and the request's affinity hits;
 * its only state is the {@link Balancer}'s counters (atomics), so every event loop uses the same one.
 */
final class EndpointChooser {

  private final Balancer balancer;

  EndpointChooser(Balancer balancer) {
    this.balancer = balancer;
  }

  /**
   * The pipeline after model lookup. With {@code filterLimits} false (the first try) the endpoints' limiters are
   * not read, except for a half-open circuit's probe: the choice among all healthy endpoints is the choice among
   * those with room whenever the endpoint chosen has room, which the admission then checks; only when it has
   * none is the choice made again with every endpoint's limits read. So a decision reads one limiter, not one
   * per endpoint, unless endpoints are full.
   */
  Selection choose(List<Candidate> candidates, RequestView view, RoutingHints hints, long now, boolean filterLimits) {
    Options options = null;
    boolean anyUsable = false;
    boolean anyAvoided = false;
    int pools = 0;
    long soonest = Long.MAX_VALUE;
    int outputEstimate = view.outputEstimate();
    boolean excluding = !hints.excludedEndpoints().isEmpty();
    for (int c = 0; c < candidates.size(); c++) {
      Candidate candidate = candidates.get(c);
      PoolView.Snapshot snapshot = candidate.view().snapshot();
      EndpointTable table = snapshot.table();
      boolean[] routable = snapshot.routable();
      long[] cooldownUntil = snapshot.cooldownUntil();
      long[] openUntil = snapshot.openUntil();
      if (options == null) {
        options = new Options(candidates.size(), table.size() * candidates.size());
      }
      boolean avoided = hints.avoidedProviders().contains(candidate.pool().name());
      int input = view.promptTokens(candidate.served().cache());
      long tokens = (long) input + outputEstimate;
      options.candidate(c, candidate, table, tokens, candidate.rates().cost(input, 0, outputEstimate), avoided);
      int before = options.size();
      for (int i = 0; i < table.size(); i++) {
        if (!routable[i] || (excluding && hints.excludedEndpoints().contains(table.endpoints[i].id()))) {
          continue;
        }
        anyUsable = true;
        boolean probe = false;
        // EndpointHealth.acceptsTraffic / awaitsProbe, on the snapshot's arrays
        if (now < cooldownUntil[i] || openUntil[i] != 0) {
          if (now >= cooldownUntil[i] && now >= openUntil[i]) {
            probe = true;
          } else {
            soonest = Math.min(soonest, Math.max(cooldownUntil[i], openUntil[i]));
            continue;
          }
        }
        EndpointLimiter limiter = table.limiters[i];
        if (limiter != null && (filterLimits || probe) && !limiter.hasCapacity(tokens, now)) {
          soonest = Math.min(soonest, now + limiter.retryAfterMillis(tokens, now));
          continue;
        }
        options.add(c, i, probe);
      }
      if (options.size() > before) {
        pools++;
        anyAvoided |= avoided;
      }
    }
    if (options == null || options.size() == 0) {
      throw unavailable(view.request(), candidates, hints, anyUsable, soonest, now);
    }
    options = preferred(options, hints, anyAvoided);
    double minCost = Double.MAX_VALUE;
    for (int o = 0; o < options.size(); o++) {
      minCost = Math.min(minCost, options.cost(o));
    }

    int best = -1;
    double bestNet = 0;
    double bestValue = 0;
    CacheHit bestHit = null;
    boolean warmCacheExisted = false;
    for (int c = 0; c < options.candidates(); c++) {
      Candidate candidate = options.declared(c);
      if (!options.has(c) || candidate.pool().config().strategy() != Strategy.SESSION_AFFINITY) {
        continue;
      }
      DomainHits domainHits = view.hits(candidate.served().cache(), now);
      double penalty = options.costOf(c) - minCost;
      for (int h = 0; domainHits != null && h < domainHits.size; h++) {
        CacheHit hit = domainHits.found[h];
        double value = candidate.rates().hitValue(hit.tokens());
        if (hit.tokens() < candidate.served().cache().minTokens() || value <= penalty || value - penalty <= bestNet) {
          continue;
        }
        for (int i : options.tableOf(c).endpointsIn(domainHits.domains[h])) {
          int o = options.optionOf(c, i);
          if (o >= 0) {
            best = o;
            bestNet = value - penalty;
            bestValue = value;
            bestHit = hit;
            break;
          }
        }
      }
    }
    if (best >= 0 && options.probe(best) && !options.pool(best).tryTakeProbe(options.endpoint(best).id())) {
      best = -1;
    }
    if (hints.isFailover() && best < 0) {
      warmCacheExisted = view.hadWarmCache();
    }
    String reason;
    int chosen;
    if (best >= 0) {
      chosen = best;
      reason = hints.isFailover() ? failoverReason(hints) : "cache_affinity";
    } else {
      bestValue = 0;
      chosen = balancer.choose(options, view.request(), hints, minCost);
      if (chosen < 0) {
        throw new GatewayError(ErrorType.RATE_LIMITED, 429, "Every endpoint serving '" + view.request().model()
            + "' is recovering from failures; a probe request is in flight", true, 1L, null);
      }
      reason = hints.isFailover() ? failoverReason(hints) + (warmCacheExisted ? ":cache_lost" : "") : reasonOf(chosen, options, pools == 1);
    }
    Endpoint e = options.endpoint(chosen);
    Candidate candidate = options.candidate(chosen);
    RoutingDecision decision = new RoutingDecision(candidate.pool().name(), options.table(chosen).displayNames[options.index(chosen)], e.id(),
        reason, usd(bestValue), best >= 0, usd(options.cost(chosen) - minCost));
    ModelConfig.Served served = candidate.served();
    return new Selection(decision, candidate.pool(), e, served.model(), served.pricing(), served.cache(), options.tokens(chosen),
        view.plan(served.cache(), options.domain(chosen), best >= 0 ? bestHit : null));
  }

  /** The preferred provider's options if it has any; else those of providers not avoided, if any; else all. */
  private static Options preferred(Options options, RoutingHints hints, boolean anyAvoided) {
    String preferred = hints.preferredProvider();
    if (preferred != null) {
      Options same = options.retain(o -> options.pool(o).name().equals(preferred));
      if (same.size() > 0) {
        return same;
      }
    }
    if (!anyAvoided) {
      return options;
    }
    Options fresh = options.retain(o -> !options.avoided(o));
    return fresh.size() == 0 ? options : fresh;
  }

  /** {@code failover:<cause>}, or {@code fallback:<cause>} when a workflow moved on to a fallback model. */
  private static String failoverReason(RoutingHints hints) {
    return hints.failoverCause().startsWith("fallback:") ? hints.failoverCause() : "failover:" + hints.failoverCause();
  }

  /** @param onePool whether every option is of one provider (then they need not be counted) */
  private static String reasonOf(int chosen, Options options, boolean onePool) {
    ProviderPool pool = options.pool(chosen);
    int sameProvider = onePool ? options.size() : 0;
    for (int o = 0; !onePool && o < options.size(); o++) {
      if (options.pool(o) == pool) {
        sameProvider++;
      }
    }
    return sameProvider == 1 ? "only_endpoint" : pool.config().strategy().configName();
  }

  private static GatewayError unavailable(UnifiedRequest request, List<Candidate> candidates, RoutingHints hints, boolean anyUsable, long soonest, long now) {
    if (anyUsable && soonest != Long.MAX_VALUE) {
      long seconds = Math.max(1, (soonest - now + 999) / 1000);
      return new GatewayError(ErrorType.RATE_LIMITED, 429, "Every endpoint serving '" + request.model()
          + "' is at its rate limit or cooling down; retry after " + seconds + " s", true, seconds, null);
    }
    if (hints.isFailover()) {
      return GatewayError.of(ErrorType.OVERLOADED, "No other endpoint can serve '" + request.model() + "'");
    }
    return GatewayError.of(ErrorType.OVERLOADED, "No endpoint can serve '" + request.model()
        + "': its providers (" + String.join(", ", candidates.stream().map(c -> c.pool().name()).toList())
        + ") have no usable API key");
  }

  /** {@code value} in USD to 8 decimals (scaled as a long: no decimal conversion of the double on the hot path). */
  private static BigDecimal usd(double value) {
    return value <= 0 ? BigDecimal.ZERO : BigDecimal.valueOf(Math.round(value * 1e8), 8).stripTrailingZeros();
  }
}
