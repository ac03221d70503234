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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Batches usage-ledger rows into the {@link LedgerStore}. {@link #offer} never blocks on the store: rows wait
 * in a bounded queue and are written in batches, one transaction each, when a batch is full or every flush
 * interval. A row that finds the queue full, and every row of a batch the store refused, goes to the
 * append-only {@link SpillFile}, replayed after the queue has been written and at {@link #start}; the store
 * ignores request ids it already has, so a replay never inserts a row twice. Flushes run one after another.
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
  private final BlockingQueue<LedgerEntry> queue;
  private final int capacity;
  private final int batchSize;
  private final long flushIntervalMs;
  private final AtomicInteger flushesPending = new AtomicInteger();
  private final LongAdder queued = new LongAdder();
  private final LongAdder overflowed = new LongAdder();
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
    this.committed = committed;
    this.vertx = vertx;
    this.store = store;
    this.spill = new SpillFile(spillFile);
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.capacity = capacity;
    this.batchSize = batchSize;
    this.flushIntervalMs = flushIntervalMs;
  }

  /** Replays what an earlier run spilled, then flushes every interval. */
  public Future<Void> start() {
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

  /** Takes a row; spills it (blocking file I/O: call from a worker) when the queue is full. */
  public void offer(LedgerEntry row) {
    if (queue.offer(row)) {
      queued.increment();
      if (queue.size() >= batchSize && flushesPending.get() == 0) {
        flush();
      }
      return;
    }
    overflowed.increment();
    spill(List.of(row));
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
      List<LedgerEntry> left = new ArrayList<>();
      queue.drainTo(left);
      if (!left.isEmpty()) {
        spill(left);
      }
      return Future.succeededFuture();
    });
  }

  public LedgerStats stats() {
    return new LedgerStats(queued.sum(), overflowed.sum(), written.sum(), spilled.sum(), replayed.sum(), failedFlushes.sum(), lost.sum(), queue.size(),
        capacity, spill.hasRows(), spill.path().toString());
  }

  private Future<Void> drain() {
    List<LedgerEntry> batch = new ArrayList<>(batchSize);
    queue.drainTo(batch, batchSize);
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
