package dev.ensemble.cache;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A node's response cache: looks requests up by their exact key and, for semantic policies, by the embedding of the
 * last user turn among entries of the same context, guarded by {@link PromptGuards}; stores complete, successful
 * answers through the {@link CacheStore} (which files them into every node's {@link CacheShelf}). Exact lookups are a
 * concurrent-map read on the caller's event loop; embedding runs on a worker (or through the pools), the vector search
 * on the shelf's index thread. The only timer is the expiry sweep. Thread-safe.
 */
public final class ResponseCache implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);
  private static final long SWEEP_MS = 10_000;
  private static final int NEIGHBOURS = 4;
  private static final Set<StopReason> COMPLETE = EnumSet.of(StopReason.END_TURN, StopReason.STOP_SEQUENCE, StopReason.MAX_TOKENS,
      StopReason.TOOL_USE);

  private final Vertx vertx;
  private final CachePolicies policies;
  private final CacheStore store;
  private final CacheShelf shelf;
  private final Function<String, Embedder> embedders;
  private final CacheMeters meters;
  private final LongSupplier clock;
  private final ThresholdBands bands = new ThresholdBands();
  private long sweepTimer = -1;

  public ResponseCache(Vertx vertx, CachePolicies policies, CacheStore store, Function<String, Embedder> embedders, CacheMeters meters,
      LongSupplier clock) {
    this.vertx = vertx;
    this.policies = policies;
    this.store = store;
    this.shelf = new CacheShelf(policies::maxEntries);
    this.embedders = embedders;
    this.meters = meters;
    this.clock = clock;
    meters.bindShelf(shelf);
  }

  public Future<Void> start() {
    return store.start(shelf).onSuccess(v -> sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> shelf.sweep(clock.getAsLong())));
  }

  public CachePolicies policies() {
    return policies;
  }

  public CacheMeters meters() {
    return meters;
  }

  /**
   * The verdict for {@code request} of {@code clientId} under {@code policy}: never a failed future (an embedder that
   * cannot be reached is a counted {@code BYPASS} whose answer is still stored for exact hits).
   */
  public Future<Lookup> lookup(CachePolicy policy, UnifiedRequest request, String clientId, CacheDirectives directives) {
    Future<Lookup> verdict = decide(policy, request, clientId, directives);
    return verdict.onSuccess(l -> {
      meters.lookup(policy, l.status());
      if (l.status() == CacheStatus.BYPASS) {
        meters.bypass(policy, l.reason());
      }
      if (l.hit()) {
        meters.saved(policy, l.entry().costUsd());
      }
    });
  }

  private Future<Lookup> decide(CachePolicy policy, UnifiedRequest request, String clientId, CacheDirectives directives) {
    if (directives.noStore()) {
      return Future.succeededFuture(Lookup.bypass(policy, "no-store", null, false));
    }
    if (request.temperature() != null && request.temperature() > 0 && !policy.config().sampled()) {
      return Future.succeededFuture(Lookup.bypass(policy, "sampled", null, false));
    }
    RequestFingerprint fingerprint = RequestFingerprint.of(policy.namespace(clientId), request);
    boolean semantic = policy.config().semantic() && RequestFingerprint.lastUserTurnIsText(request)
        && !fingerprint.lastUserText().isBlank();
    if (directives.noCache()) {
      if (!semantic) {
        return Future.succeededFuture(Lookup.bypass(policy, "no-cache", fingerprint, true));
      }
      return embed(policy, fingerprint).map(v -> Lookup.bypass(policy, "no-cache", fingerprint, true).withVector(v))
          .otherwise(Lookup.bypass(policy, "no-cache", fingerprint, true));
    }
    long now = clock.getAsLong();
    CachedAnswer exact = shelf.get(fingerprint.exactKey(), now);
    if (exact != null) {
      return Future.succeededFuture(new Lookup(policy, CacheStatus.HIT, exact, 1.0, fingerprint, null, false, null));
    }
    if (!semantic) {
      return Future.succeededFuture(Lookup.miss(policy, fingerprint, null));
    }
    return embed(policy, fingerprint).transform(embedded -> {
      if (embedded.failed()) {
        LOG.debug("response cache {}: embedder unavailable: {}", policy.id(), embedded.cause().toString());
        return Future.succeededFuture(Lookup.bypass(policy, "embedder_unavailable", fingerprint, true));
      }
      float[] vector = embedded.result();
      return Future.fromCompletionStage(shelf.nearest(fingerprint.contextKey(), vector, NEIGHBOURS), vertx.getOrCreateContext())
          .map(matches -> verdict(policy, fingerprint, vector, matches));
    });
  }

  private Future<float[]> embed(CachePolicy policy, RequestFingerprint fingerprint) {
    try {
      return embedders.apply(policy.config().embedder()).embed(fingerprint.lastUserText());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Lookup verdict(CachePolicy policy, RequestFingerprint fingerprint, float[] vector, List<SemanticIndex.Match> matches) {
    long now = clock.getAsLong();
    boolean first = true;
    double bestAgreeing = Double.NaN;
    Lookup verdict = null;
    for (SemanticIndex.Match match : matches) {
      CachedAnswer entry = shelf.get(match.key(), now);
      if (entry == null) {
        continue;
      }
      if (first) {
        meters.similarity(policy, match.similarity());
        first = false;
      }
      String refusal = PromptGuards.refusal(entry.prompt(), fingerprint.lastUserText());
      if (refusal != null) {
        if (match.similarity() >= policy.config().threshold()) {
          meters.guardRefused(policy, refusal);
        }
        continue;
      }
      bestAgreeing = Double.isNaN(bestAgreeing) ? match.similarity() : bestAgreeing;
      if (verdict == null && match.similarity() >= policy.config().threshold()) {
        verdict = new Lookup(policy, CacheStatus.SEMANTIC_HIT, entry, match.similarity(), fingerprint, vector, false, null);
      }
    }
    bands.lookup(bestAgreeing);
    return verdict != null ? verdict : Lookup.miss(policy, fingerprint, vector);
  }

  /** The hit rate other thresholds would have given, and audited disagreement (this node, since start). */
  public ThresholdBands bands() {
    return bands;
  }

  /**
   * Whether {@code answer} may be stored for {@code lookup}: a complete answer (end of turn, stop sequence, token
   * limit; a tool call only where the policy allows tool calls) with content.
   */
  public boolean storable(Lookup lookup, UnifiedResponse answer) {
    if (lookup == null || !lookup.storable() || answer == null || answer.content().isEmpty() || !COMPLETE.contains(answer.stopReason())) {
      return false;
    }
    boolean callsTools = answer.stopReason() == StopReason.TOOL_USE
        || answer.content().stream().anyMatch(b -> b instanceof ContentBlock.ToolUse);
    return !callsTools || lookup.policy().config().toolCalls();
  }

  /** Stores {@code answer} (which cost {@code costUsd} upstream) for a miss or a refreshing bypass, if {@link #storable}. */
  public void store(Lookup lookup, UnifiedResponse answer, BigDecimal costUsd) {
    if (!storable(lookup, answer)) {
      return;
    }
    long now = clock.getAsLong();
    RequestFingerprint f = lookup.fingerprint();
    store.put(new CachedAnswer(f.exactKey(), lookup.policy().id(), f.contextKey(), f.lastUserText(), lookup.vector(), answer,
        costUsd == null ? BigDecimal.ZERO : costUsd, now, now + lookup.policy().config().ttlSeconds() * 1000));
  }

  /** Whether this node is still loading the fleet's live entries (it joined a fleet; it serves meanwhile). */
  public boolean loading() {
    return store.loading();
  }

  /** Index changes queued and not applied yet (vectors of a load, recent puts). */
  public int indexBacklog() {
    return shelf.indexBacklog();
  }

  /** Entries on this node's shelf. */
  public int size() {
    return shelf.size();
  }

  @Override
  public void close() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    store.close();
    shelf.close();
  }
}
