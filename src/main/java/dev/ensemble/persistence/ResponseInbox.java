package dev.ensemble.persistence;

import dev.ensemble.bus.AfterThisTask;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The finished responses waiting for the response store: the request path (any event loop) puts a record here
 * directly instead of an event-bus request per record. The first record after the inbox was emptied wakes the
 * persistence worker once (after the offering event loop's current task, so after the client's answer was written:
 * {@link AfterThisTask}); the worker takes everything queued in one go (while records keep coming, no sooner than
 * the {@link GatherWindow} after its last batch), stores the batch and indexes it in one
 * transaction, and completes each record's future on the context that offered it, one task per event loop per
 * batch.
 *
 * <p>Lock-free: many offering threads, one taking context (the persistence worker's, bound by {@link #open} at its
 * start and unbound by {@link #close} at its stop). A record offered to a closed inbox fails at once.
 */
public final class ResponseInbox {

  /** One record waiting, with where its outcome goes. */
  record Pending(ResponseRecord record, Promise<Void> done, Context context) {}

  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private volatile Runnable wake;

  /** Queues the record; the future completes on the caller's context once it is stored and indexed (fails otherwise). */
  public Future<Void> offer(ResponseRecord record) {
    Runnable w = wake;
    if (w == null) {
      return Future.failedFuture(new IOException("the response store is closed"));
    }
    Pending pending = new Pending(record, Promise.promise(), Vertx.currentContext());
    queue.offer(pending);
    if (wake == null && queue.remove(pending)) {
      return Future.failedFuture(new IOException("the response store is closed"));
    }
    if (!wakePending.get() && wakePending.compareAndSet(false, true)) {
      AfterThisTask.run(w);
    }
    return pending.done().future();
  }

  /** The taker: {@code wake} runs once per batch of offers (from any thread) and must hop to the taking context. */
  void open(Runnable wake) {
    this.wake = wake;
    if (!queue.isEmpty() && wakePending.compareAndSet(false, true)) {
      wake.run();
    }
  }

  /** No more offers: the records queued now are the last ones {@link #take} gives. */
  void close() {
    wake = null;
  }

  /** Up to {@code max} queued records, oldest first; a wake comes again for what is offered after this call. */
  List<Pending> take(int max) {
    wakePending.set(false);
    List<Pending> batch = new ArrayList<>();
    Pending p;
    while (batch.size() < max && (p = queue.poll()) != null) {
      batch.add(p);
    }
    return batch;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queue.size();
  }

  /**
   * Completes each record's future ({@code failures[i]} null: stored), one task on each offering context for the
   * whole batch; a record offered off any context is completed here.
   */
  static void complete(List<Pending> batch, Throwable[] failures) {
    Map<Context, List<Runnable>> byContext = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      Throwable failure = failures[i];
      Runnable outcome = failure == null ? () -> p.done().tryComplete() : () -> p.done().tryFail(failure);
      if (p.context() == null) {
        outcome.run();
      } else {
        byContext.computeIfAbsent(p.context(), c -> new ArrayList<>()).add(outcome);
      }
    }
    byContext.forEach((context, outcomes) -> context.runOnContext(v -> outcomes.forEach(Runnable::run)));
  }
}
