package dev.ensemble.routing;

import dev.ensemble.bus.Inbox;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.BuiltInKind;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.ModelKind;
import dev.ensemble.config.Strategy;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaPart;
import dev.ensemble.model.Passthrough;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.routing.affinity.AffinityTable;
import dev.ensemble.routing.affinity.PrefixFingerprinter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Picks the endpoint for a request, in the order of the routing flow:
 * <ol>
 *   <li><b>model lookup</b> — the providers serving the model (a catalog name, or {@code provider/model});</li>
 *   <li><b>media</b> — when the request carries images, documents, audio or video, only the providers that take
 *       all of them ({@link ModelConfig.Served#modalities()}); none is a 400 naming the first part and the
 *       providers;</li>
 *   <li><b>availability and rate limits</b> — endpoints with a key, not excluded by a failover, not cooling down
 *       after a 429, circuit not open (one probe through a half-open one), and with room under their rpm/tpm
 *       limits for the request's estimated tokens (limits are read for the endpoint chosen first, and for all
 *       only when that one has no room: the outcome is the same, the common case cheaper);</li>
 *   <li><b>cache affinity</b> (providers with the {@code session_affinity} strategy) — the request's
 *       prompt-prefix fingerprints are looked up in the {@link AffinityTable}; an endpoint whose cache domain
 *       (provider + key) holds a prefix of at least the provider's minimum wins when the USD value of that hit
 *       exceeds its cost penalty against the cheapest eligible option;</li>
 *   <li><b>cost/load balance</b> — otherwise the cheapest provider, and among its endpoints the provider's
 *       strategy ({@code session_affinity}, {@code round_robin}, {@code least_used}, {@code weighted}).</li>
 * </ol>
 * The chosen endpoint's local limiter admits the request (taking its estimated tokens) before the selection is
 * returned. Called on every event loop: it reads immutable tables, the pools' health snapshots, atomics and the
 * lock-free affinity table, and never blocks; all learning happens in the {@link RouterVerticle}, from the usage
 * reports handed to it through {@link #learn}.
 */
public final class ModelRouter {

  /** Output tokens assumed for admission and cost when a request sets no {@code max_tokens}. */
  static final int DEFAULT_OUTPUT_ESTIMATE = 1_024;
  /** Cap on the output estimate: a large {@code max_tokens} rarely means that many tokens. */
  static final int MAX_OUTPUT_ESTIMATE = 4_096;

  private final Map<String, List<Candidate>> byModel;
  private final Map<String, ModelKind> kinds;
  private final Map<String, Map<String, ModelConfig.Served>> byUpstreamModel;
  private final Map<String, ProviderPool> pools;
  private final Map<String, PoolView> views;
  private final Map<String, EndpointLimiter> limiters;
  private final CacheDomains domains;
  private final AffinityTable affinity;
  private final PrefixFingerprinter fingerprinter = new PrefixFingerprinter();
  private final LongSupplier clock;
  private final Balancer balancer;
  private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();
  private final Inbox<UsageReport> reports = new Inbox<>("router usage reports");

  /**
   * @param limiters the local limiters by endpoint id, read live: endpoints added at run time get theirs put
   *                 here (a concurrent map then) before their pool lists them
   */
  public ModelRouter(EnsembleConfig config, Map<String, ProviderPool> pools, Map<String, EndpointLimiter> limiters,
      EndpointLoad load, AffinityTable affinity, LongSupplier clock) {
    this.pools = Map.copyOf(pools);
    this.limiters = limiters;
    this.affinity = affinity;
    this.clock = clock;
    this.domains = new CacheDomains(pools.values());
    Map<String, PoolView> viewTable = new HashMap<>();
    pools.forEach((name, pool) -> viewTable.put(name, new PoolView(pool, limiters, domains)));
    this.views = Map.copyOf(viewTable);
    Map<String, List<Candidate>> table = new LinkedHashMap<>();
    Map<String, Map<String, ModelConfig.Served>> upstream = new HashMap<>();
    config.models().forEach((name, model) -> {
      List<Candidate> candidates = new ArrayList<>();
      for (ModelConfig.Served served : model.providers()) {
        candidates.add(new Candidate(views.get(served.provider()), served));
        upstream.computeIfAbsent(served.provider(), p -> new HashMap<>()).putIfAbsent(served.model(), served);
      }
      table.put(name, List.copyOf(candidates));
    });
    this.byModel = table;
    Map<String, ModelKind> kindTable = new HashMap<>();
    config.models().forEach((name, model) -> {
      if (model.kind() != null) {
        kindTable.put(name, model.kind());
      }
    });
    this.kinds = Map.copyOf(kindTable);
    this.byUpstreamModel = upstream;
    this.balancer = new Balancer(pools.keySet(), load, clock);
  }

  /**
   * Hands the usage report of an attempt to the {@link RouterVerticle}, from any event loop: queued, the verticle woken
   * after the caller's task (after the client's answer was written).
   */
  public void learn(UsageReport report) {
    reports.offer(report);
  }

  /** The {@link RouterVerticle}'s inbox of usage reports ({@link #learn}). */
  public Inbox<UsageReport> reports() {
    return reports;
  }

  /** The pool of the provider named {@code name}, or null when the node has none of that name. */
  public ProviderPool pool(String name) {
    return pools.get(name);
  }

  /**
   * Whether {@code model} is a name the configuration gives: a catalog model, or {@code provider/model} for an
   * upstream id that provider serves in the catalog. Anything else is a name a client made up.
   */
  public boolean isConfiguredName(String model) {
    if (byModel.containsKey(model)) {
      return true;
    }
    int slash = model.indexOf('/');
    return slash > 0 && byUpstreamModel.getOrDefault(model.substring(0, slash), Map.of()).containsKey(model.substring(slash + 1));
  }

  /** The catalog's model names, in config order. */
  public List<String> modelNames() {
    return List.copyOf(byModel.keySet());
  }

  /**
   * The cache domain this node gives {@code endpointId} of {@code provider}, or -1 when it serves no such
   * endpoint. Domain numbers are per node (keys added at run time are numbered when first seen), so what
   * another node learnt is mapped through the endpoint, never through its number.
   */
  public int cacheDomainOf(String provider, String endpointId) {
    ProviderPool pool = pools.get(provider);
    if (pool == null) {
      return -1;
    }
    for (Endpoint e : pool.endpoints()) {
      if (e.id().equals(endpointId)) {
        return domains.of(e);
      }
    }
    return -1;
  }

  /** Decisions made so far, by reason. */
  public Map<String, Long> decisionCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    decisions.forEach((reason, n) -> counts.put(reason, n.sum()));
    return counts;
  }

  /**
   * Chooses where {@code request} goes and admits it there.
   *
   * @throws GatewayError 404 for an unknown model; 400 when no provider serving it takes the request's media;
   *                      429 with {@code Retry-After} when every endpoint that could serve it is at its limit or
   *                      cooling down; 503 when none is usable at all
   */
  public Selection decide(UnifiedRequest request, RoutingHints hints) {
    return decide(request, hints, ModelKind.CHAT);
  }

  /**
   * Chooses where a request for a model of {@code kind} goes ({@code request} stands for it: its model, its
   * prompt size for the token limits, {@code max_tokens} 0 when nothing but input is paid for) and admits it
   * there, among the providers whose type can serve that kind.
   *
   * @throws GatewayError 404 for an unknown model; 400 when the model is of another kind, or when none of its
   *                      providers can serve {@code kind}; else as {@link #decide(UnifiedRequest, RoutingHints)}
   */
  public Selection decide(UnifiedRequest request, RoutingHints hints, ModelKind kind) {
    List<Candidate> candidates = candidates(request.model());
    if (candidates.isEmpty()) {
      throw new GatewayError(ErrorType.NOT_FOUND, 404, "The model '" + request.model() + "' does not exist or is not served by this gateway",
          false, null, "model");
    }
    candidates = capable(request.model(), candidates, kind);
    int media = RequestMedia.scan(request);
    if (media != 0) {
      candidates = takingMedia(candidates, media, request);
    }
    if (request.passthrough() != null && request.passthrough().required()) {
      candidates = takingAsIs(candidates, request);
    }
    long now = clock.getAsLong();
    RequestView view = new RequestView(request, fingerprinter, affinity);
    RoutingHints current = hints;
    boolean filterLimits = false;
    for (int round = 0; round < 8; round++) {
      Selection selection = choose(candidates, view, current, now, filterLimits);
      Endpoint e = selection.endpoint();
      EndpointLimiter limiter = limiters.get(e.id());
      if (limiter == null || limiter.tryAdmit(selection.estimatedTokens(), now)) {
        decisions.computeIfAbsent(selection.decision().reason(), r -> new LongAdder()).increment();
        return selection;
      }
      if (filterLimits) {
        current = current.failedOver(e.id(), null, current.failoverCause());
      }
      filterLimits = true;
    }
    throw new GatewayError(ErrorType.RATE_LIMITED, 429, "Every endpoint serving '" + request.model() + "' is at its rate limit",
        true, 1L, null);
  }

  /** The declared kind of {@code model}, or null for a model without one, a {@code provider/model} name or an unknown one. */
  public ModelKind kindOf(String model) {
    return kinds.get(model);
  }

  /**
   * The candidates whose provider type can serve {@code kind}; a 400 naming the mismatch when there are none. A
   * model with a declared kind (its own, or the catalog's) is a 400 on another route before any provider is
   * asked; one without is sent on, and its provider's answer says whether the model can do it.
   */
  private List<Candidate> capable(String model, List<Candidate> candidates, ModelKind kind) {
    ModelKind declared = kinds.get(model);
    if (declared != null && declared != kind) {
      throw new GatewayError(ErrorType.INVALID_REQUEST, 400, "The model '" + model + "' is " + (declared == ModelKind.CHAT ? "a " : "an ")
          + declared.wireName() + " model; it cannot serve " + kind.operation(), false, null, "model");
    }
    List<Candidate> able = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      if (c.pool().capabilities().supports(kind)) {
        able.add(c);
      }
    }
    if (able.isEmpty()) {
      throw new GatewayError(ErrorType.INVALID_REQUEST, 400, "No provider serving '" + model + "' supports " + kind.operation() + " ("
          + String.join(", ", candidates.stream().map(c -> c.pool().name() + ": " + c.pool().config().type().name().toLowerCase()).toList())
          + ")", false, null, "model");
    }
    return able.size() == candidates.size() ? candidates : able;
  }

  /**
   * The pipeline after model lookup. With {@code filterLimits} false (the first try) the endpoints' limiters are
   * not read, except for a half-open circuit's probe: the choice among all healthy endpoints is the choice among
   * those with room whenever the endpoint chosen has room, which the admission then checks; only when it has
   * none is the choice made again with every endpoint's limits read. So a decision reads one limiter, not one
   * per endpoint, unless endpoints are full.
   */
  private Selection choose(List<Candidate> candidates, RequestView view, RoutingHints hints, long now, boolean filterLimits) {
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
    return sameProvider == 1 ? "only_endpoint" : pool.config().strategy().name().toLowerCase();
  }

  private GatewayError unavailable(UnifiedRequest request, List<Candidate> candidates, RoutingHints hints, boolean anyUsable, long soonest, long now) {
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

  /**
   * The candidates whose provider takes the request in its client's own format ({@link Passthrough}): all of them,
   * some, or a 400 naming the field that needs it when none does.
   */
  private static List<Candidate> takingAsIs(List<Candidate> candidates, UnifiedRequest request) {
    Passthrough passthrough = request.passthrough();
    List<Candidate> out = new ArrayList<>(candidates.size());
    List<String> providers = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      if (c.pool().adapter().passthrough(passthrough) != null) {
        out.add(c);
      }
      String name = c.pool().name() + " (" + c.pool().config().type().name().toLowerCase(java.util.Locale.ROOT) + ")";
      if (!providers.contains(name)) {
        providers.add(name);
      }
    }
    if (out.isEmpty()) {
      throw passthrough.refusal(request.model(), String.join(", ", providers));
    }
    return out.size() == candidates.size() ? candidates : out;
  }

  /** The candidates that take every media part in {@code media}: all of them, some, or a 400 when none does. */
  private static List<Candidate> takingMedia(List<Candidate> candidates, int media, UnifiedRequest request) {
    int taking = 0;
    for (Candidate c : candidates) {
      if (c.served().modalities().accepts(media)) {
        taking++;
      }
    }
    if (taking == candidates.size()) {
      return candidates;
    }
    if (taking == 0) {
      throw mediaRefused(candidates, media, request);
    }
    List<Candidate> out = new ArrayList<>(taking);
    for (Candidate c : candidates) {
      if (c.served().modalities().accepts(media)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * A 400 naming the first part no provider takes, or, when each part is taken by some provider but none takes
   * them all, the first part the model's first provider does not take.
   */
  private static GatewayError mediaRefused(List<Candidate> candidates, int media, UnifiedRequest request) {
    int anyTakes = 0;
    List<String> providers = new ArrayList<>(candidates.size());
    List<String> takes = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      anyTakes |= c.served().modalities().parts();
      String name = c.pool().name();
      if (!providers.contains(name)) {
        providers.add(name);
        takes.add(name + ": " + String.join(", ", c.served().modalities().names()));
      }
    }
    int refused = media & ~anyTakes;
    boolean combination = refused == 0;
    if (combination) {
      refused = media & ~candidates.get(0).served().modalities().parts();
    }
    RequestMedia.Located first = RequestMedia.first(request, refused);
    String what = combination
        ? Arrays.stream(MediaPart.in(media)).map(MediaPart::description).collect(Collectors.joining(", ")) + " together"
        : first.part().description();
    return GatewayError.invalid(first.path(), "model '" + request.model() + "' served by " + String.join(", ", providers)
        + " cannot take " + what + " (providers take " + String.join("; ", takes) + ")");
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
        String upstreamModel = model.substring(slash + 1);
        String problem = pool.adapter().modelIds().problem(pool.name(), upstreamModel);
        if (problem != null) {
          throw GatewayError.invalid("model", problem);
        }
        return List.of(new Candidate(views.get(pool.name()), direct(pool, upstreamModel)));
      }
    }
    return List.of();
  }

  /**
   * {@code provider/model}: what the catalog says about that provider serving that upstream id, else the
   * provider kind's cache semantics and media at zero prices.
   */
  private ModelConfig.Served direct(ProviderPool pool, String upstreamModel) {
    ModelConfig.Served known = byUpstreamModel.getOrDefault(pool.name(), Map.of()).get(upstreamModel);
    return known != null ? known : new ModelConfig.Served(pool.name(), upstreamModel, ModelConfig.Pricing.FREE, pool.config().cache(),
        BuiltInKind.defaultModalities(pool.config().kind(), upstreamModel));
  }

  /** {@code value} in USD to 8 decimals (scaled as a long: no decimal conversion of the double on the hot path). */
  private static BigDecimal usd(double value) {
    return value <= 0 ? BigDecimal.ZERO : BigDecimal.valueOf(Math.round(value * 1e8), 8).stripTrailingZeros();
  }
}
