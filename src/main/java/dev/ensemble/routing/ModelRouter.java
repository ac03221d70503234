package dev.ensemble.routing;

import dev.ensemble.bus.Inbox;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.ModelKind;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.routing.affinity.AffinityTable;
import dev.ensemble.routing.affinity.PrefixFingerprinter;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

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
 * returned. The steps live in classes of their own: the model lookup in {@link ModelCatalog}, the narrowing by kind,
 * media and format in {@link CandidateFilters}, availability, affinity and balance in {@link EndpointChooser}; this
 * class runs them, admits, and counts the decisions by reason. Called on every event loop: it reads immutable tables, the pools' health snapshots, atomics and the
 * lock-free affinity table, and never blocks; all learning happens in the {@link RouterVerticle}, from the usage
 * reports handed to it through {@link #learn}.
 */
public final class ModelRouter {

  /** Output tokens assumed for admission and cost when a request sets no {@code max_tokens}. */
  static final int DEFAULT_OUTPUT_ESTIMATE = 1_024;
  /** Cap on the output estimate: a large {@code max_tokens} rarely means that many tokens. */
  static final int MAX_OUTPUT_ESTIMATE = 4_096;

  private final ModelCatalog catalog;
  private final Map<String, EndpointLimiter> limiters;
  private final CacheDomains domains;
  private final AffinityTable affinity;
  private final PrefixFingerprinter fingerprinter = new PrefixFingerprinter();
  private final LongSupplier clock;
  private final EndpointChooser chooser;
  private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();
  private final Inbox<UsageReport> reports = new Inbox<>("router usage reports");

  /**
   * @param limiters the local limiters by endpoint id, read live: endpoints added at run time get theirs put
   *                 here (a concurrent map then) before their pool lists them
   */
  public ModelRouter(EnsembleConfig config, Map<String, ProviderPool> pools, Map<String, EndpointLimiter> limiters,
      EndpointLoad load, AffinityTable affinity, LongSupplier clock) {
    this.limiters = limiters;
    this.affinity = affinity;
    this.clock = clock;
    this.domains = new CacheDomains(pools.values());
    Map<String, PoolView> views = new HashMap<>();
    pools.forEach((name, pool) -> views.put(name, new PoolView(pool, limiters, domains)));
    this.catalog = new ModelCatalog(config, pools, views);
    this.chooser = new EndpointChooser(new Balancer(pools.keySet(), load, clock));
  }

  /**
   * Hands the usage report of an attempt to the {@link RouterVerticle}, from any event loop. One that taught cache
   * affinity (the next turn of the conversation should find it) wakes the verticle after the caller's task, i.e. after
   * the client's answer was written; any other (load and token corrections only) does not wake it: the verticle takes
   * it in at its next drain (within {@link RouterVerticle#DRAIN_MS} ms, or with the next woken report, or before a
   * status question). Either keeps its place in the order of the reports.
   */
  public void learn(UsageReport report) {
    if (report.teachesAffinity()) {
      reports.offer(report);
    } else {
      reports.offerLater(report);
    }
  }

  /** The {@link RouterVerticle}'s inbox of usage reports ({@link #learn}). */
  public Inbox<UsageReport> reports() {
    return reports;
  }

  /** The pool of the provider named {@code name}, or null when the node has none of that name. */
  public ProviderPool pool(String name) {
    return catalog.pool(name);
  }

  /**
   * Whether {@code model} is a name the configuration gives: a catalog model, or {@code provider/model} for an
   * upstream id that provider serves in the catalog. Anything else is a name a client made up.
   */
  public boolean isConfiguredName(String model) {
    return catalog.isConfiguredName(model);
  }

  /** The catalog's model names, in config order. */
  public List<String> modelNames() {
    return catalog.modelNames();
  }

  /**
   * The cache domain this node gives {@code endpointId} of {@code provider}, or -1 when it serves no such
   * endpoint. Domain numbers are per node (keys added at run time are numbered when first seen), so what
   * another node learnt is mapped through the endpoint, never through its number.
   */
  public int cacheDomainOf(String provider, String endpointId) {
    ProviderPool pool = catalog.pool(provider);
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
    List<Candidate> candidates = catalog.candidates(request.model());
    if (candidates.isEmpty()) {
      throw new GatewayError(ErrorType.NOT_FOUND, 404, "The model '" + request.model() + "' does not exist or is not served by this gateway",
          false, null, "model");
    }
    candidates = CandidateFilters.capable(request.model(), catalog.kindOf(request.model()), candidates, kind);
    int media = RequestMedia.scan(request);
    if (media != 0) {
      candidates = CandidateFilters.takingMedia(candidates, media, request);
    }
    if (request.passthrough() != null && request.passthrough().required()) {
      candidates = CandidateFilters.takingAsIs(candidates, request);
    }
    long now = clock.getAsLong();
    RequestView view = new RequestView(request, fingerprinter, affinity);
    RoutingHints current = hints;
    boolean filterLimits = false;
    for (int round = 0; round < 8; round++) {
      Selection selection = chooser.choose(candidates, view, current, now, filterLimits);
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
    return catalog.kindOf(model);
  }
}
