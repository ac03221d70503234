package dev.ensemble.persistence;

import dev.ensemble.bus.AfterThisTask;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The usage-ledger rows waiting for the {@link LedgerWriter}: the request path (any event loop) offers a row here
 * directly, with no event-bus delivery and no wake-up of the persistence worker. The writer takes them on its
 * flush timer; the row that fills a batch, and the first row that finds the queue full, tell the writer once (a
 * wake-up after the offering event loop's current task, see {@link AfterThisTask}). Rows that find the queue full
 * wait in an unbounded overflow list until the writer spills them to its file (file I/O stays off the event loops).
 *
 * <p>Lock-free and thread-safe: many offering threads (the event loops), one taking thread (the writer, on the
 * persistence worker's context). The writer installs the two signals when it starts.
 */
public final class LedgerQueue {

  private final ConcurrentLinkedQueue<LedgerEntry> rows = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<LedgerEntry> overflow = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean batchSignalled = new AtomicBoolean();
  private final AtomicBoolean overflowSignalled = new AtomicBoolean();
  private final LongAdder queued = new LongAdder();
  private final LongAdder overflowed = new LongAdder();
  private final int capacity;
  private final int batchSize;
  private volatile Runnable onBatch = () -> { };
  private volatile Runnable onOverflow = () -> { };

  /** The node's queue: {@link LedgerWriter#DEFAULT_CAPACITY} rows, batches of {@link LedgerWriter#DEFAULT_BATCH}. */
  public LedgerQueue() {
    this(LedgerWriter.DEFAULT_CAPACITY, LedgerWriter.DEFAULT_BATCH);
  }

  public LedgerQueue(int capacity, int batchSize) {
    this.capacity = capacity;
    this.batchSize = batchSize;
  }

  /** Takes a row from any thread; never blocks, never does I/O. */
  public void offer(LedgerEntry row) {
    int n = size.incrementAndGet();
    if (n > capacity) {
      size.decrementAndGet();
      overflow.offer(row);
      overflowed.increment();
      if (!overflowSignalled.get() && overflowSignalled.compareAndSet(false, true)) {
        AfterThisTask.run(onOverflow);
      }
      return;
    }
    rows.offer(row);
    queued.increment();
    if (n >= batchSize && !batchSignalled.get() && batchSignalled.compareAndSet(false, true)) {
      AfterThisTask.run(onBatch);
    }
  }

  /** The writer's signals: a batch is full; a row overflowed. Each is given once until the writer takes rows again. */
  void signals(Runnable batchFull, Runnable overflowing) {
    this.onBatch = batchFull;
    this.onOverflow = overflowing;
  }

  /** Up to {@code max} rows, oldest first (the writer). */
  List<LedgerEntry> take(int max) {
    batchSignalled.set(false);
    List<LedgerEntry> batch = new ArrayList<>(Math.min(max, Math.max(1, size.get())));
    LedgerEntry row;
    while (batch.size() < max && (row = rows.poll()) != null) {
      batch.add(row);
    }
    size.addAndGet(-batch.size());
    return batch;
  }

  /** The rows that overflowed since the last call (the writer spills them). */
  List<LedgerEntry> takeOverflow() {
    overflowSignalled.set(false);
    List<LedgerEntry> taken = new ArrayList<>();
    LedgerEntry row;
    while ((row = overflow.poll()) != null) {
      taken.add(row);
    }
    return taken;
  }

  boolean isEmpty() {
    return rows.isEmpty() && overflow.isEmpty();
  }

  int size() {
    return size.get();
  }

  int capacity() {
    return capacity;
  }

  int batchSize() {
    return batchSize;
  }

  long queued() {
    return queued.sum();
  }

  long overflowed() {
    return overflowed.sum();
  }
}
