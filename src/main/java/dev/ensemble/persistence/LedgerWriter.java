package dev.ensemble.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Batches usage-ledger rows into the {@link LedgerStore}. Rows wait in a bounded {@link LedgerQueue} (the request
 * path offers to it directly, from any event loop, without waking anyone) and are written in batches, one
 * transaction each, every flush interval and when the queue signals a full batch; between flushes the persistence
 * worker takes what is queued into the transaction of each batch of response index rows it commits
 * ({@link #takeForSharedCommit}), so that at low load a request's row and its response's index row share one commit. A row that found the queue
 * full, and every row of a batch the store refused, goes to the append-only {@link SpillFile} (written here, on
 * the writer's context, never on an event loop), replayed after the queue has been written and at
 * {@link #start}; the store ignores request ids it already has, so a replay never inserts a row twice. Flushes
 * run one after another on the context that started the writer (the persistence worker's).
 */
public final class LedgerWriter {

  /** Queue slots in production: 65,536 rows, about 10 s of a busy node's requests. */
  public static final int DEFAULT_CAPACITY = 1 << 16;
  public static final int DEFAULT_BATCH = 512;
  public static final long DEFAULT_FLUSH_INTERVAL_MS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);

  private final Vertx vertx;
  private final LedgerStore store;
  private final SpillFile spill;
  private final LedgerQueue queue;
  private final int batchSize;
  private final long flushIntervalMs;
  private final AtomicInteger flushesPending = new AtomicInteger();
  private final LongAdder written = new LongAdder();
  private final LongAdder spilled = new LongAdder();
  private final LongAdder replayed = new LongAdder();
  private final LongAdder failedFlushes = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final Consumer<List<LedgerEntry>> committed;
  private Future<Void> tail = Future.succeededFuture();
  private long timer = -1;

  public LedgerWriter(Vertx vertx, LedgerStore store, Path spillFile, int capacity, int batchSize, long flushIntervalMs) {
    this(vertx, store, spillFile, capacity, batchSize, flushIntervalMs, rows -> { });
  }

  /** @param committed told the rows of each batch the store committed (the crash journal closes their answers) */
  public LedgerWriter(Vertx vertx, LedgerStore store, Path spillFile, int capacity, int batchSize, long flushIntervalMs,
      Consumer<List<LedgerEntry>> committed) {
    this(vertx, store, spillFile, new LedgerQueue(capacity, batchSize), flushIntervalMs, committed);
  }

  /**
   * @param queue     where the rows wait (the node's, offered to by the request path); its capacity and batch size apply
   * @param committed told the rows of each batch the store committed (the crash journal closes their answers)
   */
  public LedgerWriter(Vertx vertx, LedgerStore store, Path spillFile, LedgerQueue queue, long flushIntervalMs,
      Consumer<List<LedgerEntry>> committed) {
    this.committed = committed;
    this.vertx = vertx;
    this.store = store;
    this.spill = new SpillFile(spillFile);
    this.queue = queue;
    this.batchSize = queue.batchSize();
    this.flushIntervalMs = flushIntervalMs;
  }

  /**
   * Replays what an earlier run spilled, then flushes every interval and when the queue signals a full batch, on
   * the calling context.
   */
  public Future<Void> start() {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    queue.signals(() -> context.runOnContext(v -> {
      if (flushesPending.get() == 0) {
        flush();
      }
    }), () -> context.runOnContext(v -> spillOverflow()));
    timer = vertx.setPeriodic(flushIntervalMs, id -> {
      if (flushesPending.get() == 0 && (!queue.isEmpty() || spill.hasRows())) {
        flush();
      }
    });
    return flush().otherwise(err -> {
      LOG.warn("could not replay the ledger spill file {} at start; retrying with the next flush: {}", spill.path(), err.toString());
      return null;
    });
  }

  /**
   * Takes a row on the writer's side (recovery, the event-bus address); spills it at once (blocking file I/O: call
   * from a worker) when the queue is full. The request path offers to the {@link LedgerQueue} instead.
   */
  public void offer(LedgerEntry row) {
    queue.offer(row);
    spillOverflow();
  }

  /**
   * Writes every row queued before the call, then replays the spill file. Fails if the store refused a
   * batch; its rows are in the spill file then, not lost. The monitor only orders the chaining of flushes
   * (nanoseconds, no I/O under it); in the gateway every caller runs on the persistence worker verticle.
   */
  public synchronized Future<Void> flush() {
    flushesPending.incrementAndGet();
    tail = tail.transform(previous -> drain()).andThen(ar -> flushesPending.decrementAndGet());
    return tail;
  }

  /** Flushes; whatever could not be written is spilled, to be replayed at the next start. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return flush().transform(ar -> {
      List<LedgerEntry> left = new ArrayList<>(queue.take(Integer.MAX_VALUE));
      left.addAll(queue.takeOverflow());
      if (!left.isEmpty()) {
        spill(left);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The rows queued now (a batch at most), for a transaction the caller commits together with its own rows on this
   * writer's context (the persistence worker's index batch: one commit, one WAL sync, for both); none while a flush is
   * on its way (it takes them). The caller reports the outcome: {@link #committedWith} or {@link #insertApart}.
   */
  List<LedgerEntry> takeForSharedCommit() {
    return flushesPending.get() > 0 ? List.of() : queue.take(batchSize);
  }

  /** Rows taken by {@link #takeForSharedCommit} are committed: counted, and told to the crash journal like a batch of its own. */
  void committedWith(List<LedgerEntry> rows) {
    if (!rows.isEmpty()) {
      written.add(rows.size());
      committed.accept(rows);
    }
  }

  /** The shared transaction of rows taken by {@link #takeForSharedCommit} failed: they are written on their own, or spilled. */
  void insertApart(List<LedgerEntry> rows) {
    store.insert(rows).onComplete(ar -> {
      if (ar.succeeded()) {
        committedWith(rows);
      } else {
        failedFlushes.increment();
        LOG.warn("could not write {} ledger rows, spilling them to {}: {}", rows.size(), spill.path(), ar.cause().toString());
        spill(rows);
      }
    });
  }

  public LedgerStats stats() {
    return new LedgerStats(queue.queued(), queue.overflowed(), written.sum(), spilled.sum(), replayed.sum(), failedFlushes.sum(), lost.sum(),
        queue.size(), queue.capacity(), spill.hasRows(), spill.path().toString());
  }

  /** The rows that found the queue full go to the spill file (replayed by the next flush). */
  private void spillOverflow() {
    List<LedgerEntry> over = queue.takeOverflow();
    if (!over.isEmpty()) {
      spill(over);
    }
  }

  private Future<Void> drain() {
    spillOverflow();
    List<LedgerEntry> batch = queue.take(batchSize);
    if (batch.isEmpty()) {
      return replay();
    }
    return store.insert(batch).transform(ar -> {
      if (ar.succeeded()) {
        written.add(batch.size());
        committed.accept(batch);
        return drain();
      }
      failedFlushes.increment();
      LOG.warn("could not write {} ledger rows, spilling them to {}: {}", batch.size(), spill.path(), ar.cause().toString());
      spill(batch);
      return Future.failedFuture(ar.cause());
    });
  }

  private Future<Void> replay() {
    Optional<List<LedgerEntry>> rows;
    try {
      rows = spill.takeForReplay();
    } catch (IOException e) {
      failedFlushes.increment();
      return Future.failedFuture(e);
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<LedgerEntry> all = rows.get();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < all.size(); from += batchSize) {
      List<LedgerEntry> part = all.subList(from, Math.min(all.size(), from + batchSize));
      chain = chain.compose(v -> store.insert(part).andThen(ar -> {
        if (ar.succeeded()) {
          committed.accept(part);
        }
      }));
    }
    return chain.transform(ar -> {
      if (ar.failed()) {
        failedFlushes.increment();
        return Future.failedFuture(ar.cause());
      }
      try {
        spill.replayed();
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
      replayed.add(all.size());
      LOG.info("replayed {} ledger rows from {}", all.size(), spill.path());
      return Future.succeededFuture();
    });
  }

  private void spill(List<LedgerEntry> rows) {
    try {
      spill.append(rows);
      spilled.add(rows.size());
    } catch (IOException e) {
      lost.add(rows.size());
      LOG.error("LOST {} ledger rows: the spill file {} could not be written: {}", rows.size(), spill.path(), e.toString());
    }
  }
}
