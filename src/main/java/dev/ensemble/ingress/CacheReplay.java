package dev.ensemble.ingress;

import dev.ensemble.cache.CacheStatus;
import dev.ensemble.cache.Lookup;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Vertx;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves a cache hit: the cached answer becomes unified events again ({@link StreamAccumulator#eventsOf}, with this
 * request's id and model, the original usage on {@code response.start} and {@code response.end}, text cut into
 * word-sized deltas by {@link ReplayDeltas} as a live stream carries it) and goes through the
 * client's channel exactly as a live answer does — a stream of the client's dialect when it asked for one, a JSON
 * body otherwise — so any dialect that renders unified events replays. The answer is persisted like any other
 * (readable at {@code /api/v1/responses/{id}}) and the ledger gets a row with no upstream cost and the USD it saved.
 * Runs on the client connection's event loop.
 */
final class CacheReplay {

  /** What {@code X-Ensemble-Provider} and the ledger's provider show for an answer from the cache. */
  static final String PROVIDER = "cache";

  private CacheReplay() {
  }

  static String reason(Lookup lookup) {
    return lookup.status() == CacheStatus.SEMANTIC_HIT ? "semantic_cache_hit" : "cache_hit";
  }

  static void replay(Vertx vertx, ClientChannel channel, ClientDialect dialect, ClientCall call, Lookup lookup,
      ResponseContext context, ClientAccount account, LiveResponses live, long startNanos) {
    UnifiedRequest request = call.request();
    UnifiedResponse cached = lookup.entry().answer();
    UnifiedResponse answer = new UnifiedResponse(context.requestId(), request.model(), cached.content(), cached.stopReason(),
        cached.stopSequence(), cached.usage());
    List<StreamEvent> events = events(answer);
    ResponseJournal journal = new ResponseJournal(vertx.getOrCreateContext(), context, dialect, account.clientId());
    live.register(context.requestId(), journal);
    events.forEach(journal::add);
    // queued (no wake-up) before the client can see the answer and ask for its usage
    long latencyMs = (System.nanoTime() - startNanos) / 1_000_000;
    live.persistence().ledger(new LedgerEntry(context.requestId(), account.clientId(), PROVIDER, PROVIDER,
        request.model(), null, Usage.UNKNOWN, BigDecimal.ZERO, latencyMs, latencyMs, 200, 0, reason(lookup), request.stream(),
        System.currentTimeMillis(), null, lookup.status().name(), lookup.entry().costUsd()));
    if (!channel.closed()) {
      if (request.stream()) {
        channel.beginStream(request);
        events.forEach(channel::write);
        channel.end();
      } else {
        channel.answer(answer, events, journal.renderedAnswer());
      }
    }
    if (!call.store() || !live.awaitStore(!channel.closed())) {
      live.remove(context.requestId(), journal);
      journal.close();
      return;
    }
    live.persistence().store(journal.record(dialect, call, PROVIDER, PROVIDER, BigDecimal.ZERO)).onComplete(ar -> {
      live.stored();
      live.remove(context.requestId(), journal);
      journal.close();
    });
  }

  /**
   * The events a live stream of {@code answer} carries: its input usage already on {@code response.start}, its text
   * and arguments in live-sized deltas ({@link ReplayDeltas}).
   */
  private static List<StreamEvent> events(UnifiedResponse answer) {
    List<StreamEvent> events = new ArrayList<>(ReplayDeltas.of(StreamAccumulator.eventsOf(answer)));
    Usage u = answer.usage();
    events.set(0, new StreamEvent.ResponseStart(answer.id(), answer.model(), PROVIDER, PROVIDER,
        new Usage(u.input(), null, u.cacheRead(), u.cacheWrite())));
    return events;
  }
}
