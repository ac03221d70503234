package dev.ensemble.routing;

import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.Strategy;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.Endpoint;
import dev.ensemble.pools.ProviderPool;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Picks the endpoint for a request: model lookup, then the serving providers in the model's order of
 * preference, then one of the provider's usable endpoints by its strategy. Called on every event loop;
 * reads only immutable tables, {@link EndpointLoad} and atomic counters, and never blocks.
 *
 * <p>{@code session_affinity} keeps a conversation on one endpoint by rendezvous hashing of its session key
 * over the usable endpoints (weighted by key weight), so follow-up turns meet the provider-side cache their
 * first turn filled, and only the sessions of a lost endpoint move when endpoints come or go.
 */
public final class ModelRouter {

  private final Map<String, List<Candidate>> byModel;
  private final Map<String, ProviderPool> pools;
  private final Map<String, Map<String, ModelConfig.Served>> byUpstreamModel;
  private final EndpointLoad load;
  private final LongSupplier clock;
  private final Map<String, AtomicLong> roundRobin = new ConcurrentHashMap<>();

  public ModelRouter(EnsembleConfig config, Map<String, ProviderPool> pools, EndpointLoad load, LongSupplier clock) {
    this.pools = Map.copyOf(pools);
    this.load = load;
    this.clock = clock;
    Map<String, List<Candidate>> table = new LinkedHashMap<>();
    Map<String, Map<String, ModelConfig.Served>> upstream = new HashMap<>();
    config.models().forEach((name, model) -> {
      List<Candidate> candidates = new ArrayList<>();
      for (ModelConfig.Served served : model.providers()) {
        candidates.add(new Candidate(pools.get(served.provider()), served));
        upstream.computeIfAbsent(served.provider(), p -> new HashMap<>()).putIfAbsent(served.model(), served);
      }
      table.put(name, List.copyOf(candidates));
    });
    this.byModel = table;
    this.byUpstreamModel = upstream;
    pools.keySet().forEach(p -> roundRobin.put(p, new AtomicLong()));
  }

  /** The catalog's model names, in config order. */
  public List<String> modelNames() {
    return List.copyOf(byModel.keySet());
  }

  public boolean knows(String model) {
    return !candidates(model).isEmpty();
  }

  /**
   * Chooses where {@code request} goes.
   *
   * @throws GatewayError 404 for an unknown model, 503 when no provider serving it has a usable endpoint
   */
  public Selection decide(UnifiedRequest request, String explicitSession) {
    List<Candidate> candidates = candidates(request.model());
    if (candidates.isEmpty()) {
      throw new GatewayError(ErrorType.NOT_FOUND, 404, "The model '" + request.model() + "' does not exist or is not served by this gateway",
          false, null, "model");
    }
    for (Candidate candidate : candidates) {
      ProviderPool pool = candidate.pool();
      List<Endpoint> usable = new ArrayList<>(pool.endpoints().size());
      for (Endpoint e : pool.endpoints()) {
        if (pool.isUsable(e)) {
          usable.add(e);
        }
      }
      if (usable.isEmpty()) {
        continue;
      }
      Strategy strategy = pool.config().strategy();
      Endpoint chosen;
      String reason;
      if (usable.size() == 1) {
        chosen = usable.get(0);
        reason = "only_endpoint";
      } else {
        chosen = switch (strategy) {
          case ROUND_ROBIN -> usable.get((int) Math.floorMod(roundRobin.get(pool.name()).getAndIncrement(), usable.size()));
          case WEIGHTED -> weighted(usable);
          case LEAST_USED -> leastUsed(usable);
          case SESSION_AFFINITY -> affinity(usable, SessionKey.of(request, explicitSession));
        };
        reason = strategy.name().toLowerCase();
      }
      RoutingDecision decision = new RoutingDecision(pool.name(), chosen.displayName(), chosen.id(), reason,
          BigDecimal.ZERO, strategy == Strategy.SESSION_AFFINITY && usable.size() > 1, BigDecimal.ZERO);
      ModelConfig.Served served = candidate.served();
      return new Selection(decision, pool, chosen, served.model(), served.pricing(), served.cache());
    }
    throw GatewayError.of(ErrorType.OVERLOADED, "No endpoint can serve '" + request.model()
        + "': its providers (" + String.join(", ", candidates.stream().map(c -> c.pool().name()).toList())
        + ") have no API key configured");
  }

  private List<Candidate> candidates(String model) {
    List<Candidate> listed = byModel.get(model);
    if (listed != null) {
      return listed;
    }
    int slash = model.indexOf('/');
    if (slash > 0 && slash < model.length() - 1) {
      ProviderPool pool = pools.get(model.substring(0, slash));
      if (pool != null) {
        return List.of(new Candidate(pool, direct(pool, model.substring(slash + 1))));
      }
    }
    return List.of();
  }

  /**
   * {@code provider/model}: what the catalog says about that provider serving that upstream id, else the
   * provider kind's cache semantics at zero prices.
   */
  private ModelConfig.Served direct(ProviderPool pool, String upstreamModel) {
    ModelConfig.Served known = byUpstreamModel.getOrDefault(pool.name(), Map.of()).get(upstreamModel);
    return known != null ? known : new ModelConfig.Served(pool.name(), upstreamModel, ModelConfig.Pricing.FREE, pool.config().cache());
  }

  private static Endpoint weighted(List<Endpoint> usable) {
    double total = 0;
    for (Endpoint e : usable) {
      total += e.weight();
    }
    double r = ThreadLocalRandom.current().nextDouble(total);
    for (Endpoint e : usable) {
      r -= e.weight();
      if (r < 0) {
        return e;
      }
    }
    return usable.get(usable.size() - 1);
  }

  private Endpoint leastUsed(List<Endpoint> usable) {
    long now = clock.getAsLong();
    Endpoint best = usable.get(0);
    double bestUse = Double.MAX_VALUE;
    for (Endpoint e : usable) {
      long requests = load.requestsLastMinute(e.id(), now);
      double use = e.rpmLimit() == null ? requests : (double) requests / e.rpmLimit();
      if (use < bestUse) {
        bestUse = use;
        best = e;
      }
    }
    return best;
  }

  private static Endpoint affinity(List<Endpoint> usable, long sessionKey) {
    Endpoint best = usable.get(0);
    double bestScore = -Double.MAX_VALUE;
    for (Endpoint e : usable) {
      double u = ((SessionKey.mix(sessionKey, e.id()) >>> 11) + 1) * 0x1.0p-53;
      double score = -e.weight() / Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = e;
      }
    }
    return best;
  }
}
