package dev.ensemble.routing;

import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The last step of routing when no cached prefix decides: the cheapest provider among a decision's options,
 * then that provider's strategy over its endpoints — {@code session_affinity} (weighted rendezvous hashing of
 * the session key), {@code round_robin}, {@code least_used} (limiter utilisation, else requests in the last
 * minute against {@code rpm_limit}), {@code weighted} (random by key weight). Called on every event loop: its
 * only mutable state is one atomic round-robin counter per provider.
 */
final class Balancer {

  private final Map<String, AtomicLong> roundRobin = new ConcurrentHashMap<>();
  private final EndpointLoad load;
  private final LongSupplier clock;

  Balancer(Collection<String> providers, EndpointLoad load, LongSupplier clock) {
    providers.forEach(p -> roundRobin.put(p, new AtomicLong()));
    this.load = load;
    this.clock = clock;
  }

  /**
   * The cheapest provider's options (ties: the model's provider order), then its strategy; the probe of a
   * half-open circuit only when nothing else is left; -1 when that probe is already taken.
   */
  int choose(Options options, UnifiedRequest request, RoutingHints hints, double minCost) {
    ProviderPool cheapest = null;
    for (int o = 0; o < options.size(); o++) {
      if (options.cost(o) <= minCost + 1e-12) {
        cheapest = options.pool(o);
        break;
      }
    }
    ProviderPool pool = cheapest;
    Options group = options.retain(o -> options.pool(o) == pool && !options.probe(o));
    if (group.size() == 0) {
      for (int o = 0; o < options.size(); o++) {
        if (!options.probe(o)) {
          return o;
        }
      }
      for (int o = 0; o < options.size(); o++) {
        if (options.pool(o).tryTakeProbe(options.endpoint(o).id())) {
          return o;
        }
      }
      return -1;
    }
    int picked = group.size() == 1 ? 0 : switch (cheapest.config().strategy()) {
      case ROUND_ROBIN -> (int) Math.floorMod(roundRobin.computeIfAbsent(cheapest.name(), p -> new AtomicLong()).getAndIncrement(), group.size());
      case WEIGHTED -> weighted(group);
      case LEAST_USED -> leastUsed(group, clock.getAsLong());
      case SESSION_AFFINITY -> rendezvous(group, SessionKey.of(request, hints.session()));
    };
    return group == options ? picked : indexIn(options, group, picked);
  }

  /** The number in {@code options} of option {@code o} of {@code subset} (a {@link Options#retain} of it). */
  private static int indexIn(Options options, Options subset, int o) {
    for (int i = 0; i < options.size(); i++) {
      if (options.candidate(i) == subset.candidate(o) && options.index(i) == subset.index(o)) {
        return i;
      }
    }
    throw new IllegalStateException("option not in its superset");
  }

  private static int weighted(Options group) {
    double total = 0;
    for (int o = 0; o < group.size(); o++) {
      total += group.endpoint(o).weight();
    }
    double r = ThreadLocalRandom.current().nextDouble(total);
    for (int o = 0; o < group.size(); o++) {
      r -= group.endpoint(o).weight();
      if (r < 0) {
        return o;
      }
    }
    return group.size() - 1;
  }

  private int leastUsed(Options group, long now) {
    int best = 0;
    double bestUse = Double.MAX_VALUE;
    for (int o = 0; o < group.size(); o++) {
      EndpointLimiter limiter = group.table(o).limiters[group.index(o)];
      Endpoint e = group.endpoint(o);
      Integer rpm = e.rpmLimit();
      long served = load.requestsLastMinute(e.id(), now);
      double use = limiter != null ? limiter.utilisation(now) : rpm != null ? (double) served / rpm : served;
      if (use < bestUse) {
        bestUse = use;
        best = o;
      }
    }
    return best;
  }

  /**
   * Weighted rendezvous hashing: each endpoint scores {@code -weight / ln(u)} for a uniform {@code u} drawn from
   * the session key and the endpoint id; the highest wins. With equal weights the score orders as {@code u}
   * itself, so the logarithm is skipped. {@code group} is of one provider.
   */
  private static int rendezvous(Options group, long sessionKey) {
    int best = 0;
    if (group.table(0).uniformWeights) {
      long bestDraw = -1;
      for (int o = 0; o < group.size(); o++) {
        long draw = SessionKey.mix(sessionKey, group.endpoint(o).id()) >>> 11;
        if (draw > bestDraw) {
          bestDraw = draw;
          best = o;
        }
      }
      return best;
    }
    double bestScore = -Double.MAX_VALUE;
    for (int o = 0; o < group.size(); o++) {
      double u = ((SessionKey.mix(sessionKey, group.endpoint(o).id()) >>> 11) + 1) * 0x1.0p-53;
      double score = -group.endpoint(o).weight() / Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = o;
      }
    }
    return best;
  }
}
