package dev.ensemble.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * The node's copy of the cache entries (every entry of the fleet, fed by the {@link CacheStore}) and the
 * {@link SemanticIndex} of those with a vector. Each policy keeps at most its {@code max_entries}: past that its oldest
 * entries are evicted (first in, first out).
 *
 * <p>Threads and state:
 * <ul>
 *   <li>The entries: a concurrent map by exact key, written and read lock-free from any thread; an entry is visible to
 *       exact lookups as soon as {@link #put} or {@link #load} returns.</li>
 *   <li>Index changes: queued to this shelf's one writer thread ({@code ensemble-response-cache-index}), the only
 *       thread that changes the index, in submission order. It applies every change queued (up to
 *       {@value #BATCH} at a time), then refreshes the searcher once, then drops the shelf's copy of the vectors it
 *       indexed (the vector then lives only in the index: {@link CachedAnswer#VECTOR_IN_INDEX}).</li>
 *   <li>Searches ({@link #nearest}): on this shelf's search threads ({@code ensemble-response-cache-search-N}), at
 *       the same time as the writer indexes, each on the last refreshed searcher; they never queue behind a
 *       joining node's bulk {@link #load}, nor behind puts of other contexts. A search first waits for the entries
 *       of its own context put before it started to become visible ({@code pendingByContext}; so a node's own fresh
 *       answer is found by the next paraphrase): the writer applies and shows them within its next batch, normally
 *       a millisecond; a search gives up waiting after {@value #FRESHNESS_WAIT_LOADING_MS} ms while a bulk load is
 *       queued (the put may be behind a chunk), after {@value #FRESHNESS_WAIT_MS} ms otherwise (a writer behind a
 *       flood of puts), and searches what is visible.</li>
 *   <li>A bulk {@link #load} is indexed by the writer in chunks of {@value #LOAD_CHUNK}, each split across the
 *       loader threads ({@code ensemble-response-cache-load-N}, one per core, idle ones end), single puts queued
 *       meanwhile interleave between chunks.</li>
 * </ul>
 * The event loops never wait for Lucene.
 */
public final class CacheShelf implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CacheShelf.class);
  static final int BATCH = 10_000;
  static final int LOAD_CHUNK = 1_000;
  static final long FRESHNESS_WAIT_MS = 1_000;
  static final long FRESHNESS_WAIT_LOADING_MS = 200;
  private static final long LOAD_REFRESH_MS = 30_000;

  private final Map<String, CachedAnswer> entries = new ConcurrentHashMap<>();
  private final Map<String, PolicyOrder> order = new ConcurrentHashMap<>();
  private final SemanticIndex index = new SemanticIndex();
  private final ToIntFunction<String> maxEntries;

  private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
  private final Object submitting = new Object();
  /** Sequence of the last change searches wait for (guarded by {@link #submitting}). */
  private long submitted;
  /** Context key → sequence of its last put not yet visible: a search waits only for puts of its own context. */
  private final Map<String, Long> pendingByContext = new ConcurrentHashMap<>();
  /** Sequence of the last such change applied (the writer thread only). */
  private long applied;
  /** Sequence of the last such change a searcher shows; searches wait on {@link #visibility} for it. */
  private volatile long visible;
  private final Object visibility = new Object();
  private final AtomicInteger waiting = new AtomicInteger();
  /** Bulk chunks queued and not applied yet. */
  private final AtomicInteger bulkQueued = new AtomicInteger();
  private final Thread writer;
  private volatile boolean closed;
  private final ExecutorService searchers;
  private final ThreadPoolExecutor loaders;

  /** @param maxEntries the bound of a policy, by policy id */
  public CacheShelf(ToIntFunction<String> maxEntries) {
    this.maxEntries = maxEntries;
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    searchers = Executors.newFixedThreadPool(Math.max(2, cores), threads("ensemble-response-cache-search-"));
    loaders = new ThreadPoolExecutor(0, cores, 5, TimeUnit.SECONDS, new SynchronousQueue<>(), threads("ensemble-response-cache-load-"),
        new ThreadPoolExecutor.CallerRunsPolicy());
    writer = new Thread(this::write, "ensemble-response-cache-index");
    writer.setDaemon(true);
    writer.start();
  }

  /** The live entry under {@code key}, or null (an expired one is not returned). Its vector may be {@link CachedAnswer#VECTOR_IN_INDEX}. */
  public CachedAnswer get(String key, long nowMillis) {
    CachedAnswer entry = entries.get(key);
    return entry == null || entry.expired(nowMillis) ? null : entry;
  }

  /** The live entry under {@code key} with its vector read back from the index (to share it again), or null. Blocks briefly. */
  public CachedAnswer whole(String key, long nowMillis) {
    CachedAnswer entry = get(key, nowMillis);
    if (entry == null || entry.vector() != CachedAnswer.VECTOR_IN_INDEX) {
      return entry;
    }
    float[] vector = index.vector(key);
    return vector == null ? null : entry.withVector(vector);
  }

  /**
   * Files an entry (a repeat of one already filed changes nothing) and queues its vector for the index; searches
   * started after this returns wait (briefly) for it. Returns the keys its policy evicted to stay in bounds.
   */
  public List<String> put(CachedAnswer entry) {
    Filed filed = file(entry);
    if (filed.indexed) {
      submit(new Change(() -> index(List.of(entry)), true), entry.contextKey());
    }
    return filed.evicted;
  }

  /**
   * Files the entries a joining node loads (exact lookups see them at once; an entry the shelf already holds, heard
   * from the fleet meanwhile, wins), and queues their vectors for the index as one chunk, which searches do not wait
   * for (in chunks of {@value #LOAD_CHUNK}). Returns the keys evicted to stay in bounds.
   */
  public List<String> load(List<CachedAnswer> batch) {
    List<CachedAnswer> semantic = new ArrayList<>(batch.size());
    List<String> evicted = new ArrayList<>(0);
    for (CachedAnswer entry : batch) {
      if (entries.containsKey(entry.key())) {
        continue;
      }
      Filed filed = file(entry);
      evicted.addAll(filed.evicted);
      if (filed.indexed) {
        semantic.add(entry);
      }
    }
    for (int from = 0; from < semantic.size(); from += LOAD_CHUNK) {
      List<CachedAnswer> chunk = semantic.subList(from, Math.min(semantic.size(), from + LOAD_CHUNK));
      bulkQueued.incrementAndGet();
      submit(new Change(() -> {
        try {
          return indexInParallel(chunk);
        } finally {
          bulkQueued.decrementAndGet();
        }
      }, false));
    }
    return evicted;
  }

  private record Filed(boolean indexed, List<String> evicted) {}

  private Filed file(CachedAnswer entry) {
    CachedAnswer[] previous = new CachedAnswer[1];
    CachedAnswer kept = entries.compute(entry.key(), (k, old) -> {
      previous[0] = old;
      return old != null && old.storedAtMillis() == entry.storedAtMillis() ? old : entry;
    });
    if (kept != entry) {
      return new Filed(false, List.of());
    }
    boolean indexed = entry.vector() != null && entry.vector().length > 0;
    if (previous[0] != null) {
      return new Filed(indexed, List.of());
    }
    PolicyOrder policy = order.computeIfAbsent(entry.policy(), p -> new PolicyOrder());
    policy.keys.add(entry.key());
    int size = policy.size.incrementAndGet();
    int max = Math.max(1, maxEntries.applyAsInt(entry.policy()));
    List<String> evicted = new ArrayList<>(0);
    while (size > max) {
      String oldest = policy.keys.poll();
      if (oldest == null) {
        break;
      }
      if (remove(oldest)) {
        evicted.add(oldest);
      }
      size = policy.size.get();
    }
    return new Filed(indexed, evicted);
  }

  /** Removes an entry; whether it was there. */
  public boolean remove(String key) {
    CachedAnswer gone = entries.remove(key);
    if (gone == null) {
      return false;
    }
    PolicyOrder policy = order.get(gone.policy());
    if (policy != null) {
      policy.size.decrementAndGet();
      policy.keys.remove(key);
    }
    if (gone.vector() != null) {
      submit(new Change(() -> index.remove(key), false));
    }
    return true;
  }

  /**
   * The nearest entries of the same context, most similar first (they may have expired since: check with {@link #get}),
   * searched on a search thread, at the same time as indexing.
   */
  public CompletableFuture<List<SemanticIndex.Match>> nearest(String contextKey, float[] vector, int k) {
    long need = pendingByContext.getOrDefault(contextKey, 0L);
    try {
      return CompletableFuture.supplyAsync(() -> {
        awaitVisible(need);
        return index.nearest(contextKey, vector, k);
      }, searchers);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new IllegalStateException("response cache closed"));
    }
  }

  /** Removes every expired entry; returns how many. */
  public int sweep(long nowMillis) {
    int removed = 0;
    for (CachedAnswer entry : entries.values()) {
      if (entry.expired(nowMillis) && remove(entry.key())) {
        removed++;
      }
    }
    return removed;
  }

  public int size() {
    return entries.size();
  }

  /** Changes queued for the index and not applied yet (a joining node's backlog). */
  public int indexBacklog() {
    return changes.size();
  }

  /** Bytes of the vector index (its graph, vectors and terms). */
  public CompletableFuture<Long> indexBytes() {
    return CompletableFuture.completedFuture(index.ramBytes());
  }

  /** Completes when every change queued before this call is applied and visible to searches. */
  public CompletableFuture<Void> indexed() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long need = submit(new Change(() -> done.complete(null), true), null);
    return done.thenRunAsync(() -> {
      while (visible < need && !closed) {
        awaitVisible(need);
      }
    }, searchers);
  }

  /** Queues {@code change} to the writer thread like an index change nobody waits for (tests hold the writer with it). */
  void queue(Runnable change) {
    submit(new Change(change, false));
  }

  private void submit(Change change) {
    submit(change, null);
  }

  /** Queues {@code change}; its sequence when searches may wait for it (those of {@code context}, when given), else 0. */
  private long submit(Change change, String context) {
    if (closed) {
      LOG.debug("response cache: index closed, change dropped");
      return 0;
    }
    synchronized (submitting) {
      if (!change.awaited) {
        changes.add(change);
        return 0;
      }
      long sequence = ++submitted;
      if (context != null) {
        pendingByContext.merge(context, sequence, Math::max);
      }
      changes.add(new Change(change.apply, true, sequence));
      return sequence;
    }
  }

  private void awaitVisible(long need) {
    if (visible >= need) {
      return;
    }
    waiting.incrementAndGet();
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(bulkQueued.get() > 0 ? FRESHNESS_WAIT_LOADING_MS : FRESHNESS_WAIT_MS);
      synchronized (visibility) {
        long left;
        while (visible < need && !closed && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(visibility, left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** The writer thread: applies queued changes in batches, refreshing the searcher after each (see the class comment). */
  private void write() {
    List<CachedAnswer> unstripped = new ArrayList<>();
    long lastRefresh = System.nanoTime();
    while (!closed) {
      Change change;
      try {
        change = changes.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (change == null) {
        continue;
      }
      int n = 0;
      do {
        apply(change, unstripped);
        n++;
      } while (n < BATCH && !closed && (change = changes.poll()) != null);
      // With a backlog (a join's load), refresh only for a search waiting on a put just applied, or every
      // LOAD_REFRESH_MS: each refresh flushes a segment, and many small segments cost merges that rebuild graphs.
      boolean backlog = !changes.isEmpty();
      boolean awaitedNow = applied > visible && waiting.get() > 0;
      if (backlog && !awaitedNow && System.nanoTime() - lastRefresh < TimeUnit.MILLISECONDS.toNanos(LOAD_REFRESH_MS)) {
        continue;
      }
      try {
        index.refresh();
      } catch (RuntimeException e) {
        LOG.warn("response cache: the vector index could not refresh: {}", e.toString());
        continue;
      }
      lastRefresh = System.nanoTime();
      long shown = applied;
      visible = shown;
      pendingByContext.values().removeIf(sequence -> sequence <= shown);
      for (CachedAnswer entry : unstripped) {
        entries.replace(entry.key(), entry, entry.withVector(CachedAnswer.VECTOR_IN_INDEX));
      }
      unstripped.clear();
      synchronized (visibility) {
        visibility.notifyAll();
      }
    }
  }

  private void apply(Change change, List<CachedAnswer> unstripped) {
    try {
      List<CachedAnswer> indexed = change.apply.call();
      if (indexed != null) {
        unstripped.addAll(indexed);
      }
    } catch (Exception e) {
      LOG.warn("response cache: the vector index refused a change: {}", e.toString());
    }
    if (change.awaited) {
      applied = Math.max(applied, change.sequence);
    }
  }

  /** Indexes the entries still current on the shelf (not replaced or removed since); returns them. Writer thread. */
  private List<CachedAnswer> index(List<CachedAnswer> batch) {
    List<CachedAnswer> done = new ArrayList<>(batch.size());
    for (CachedAnswer entry : batch) {
      if (entries.get(entry.key()) == entry) {
        index.add(entry.key(), entry.contextKey(), entry.vector());
        done.add(entry);
      }
    }
    return done;
  }

  /** {@link #index} split across the loader threads (Lucene indexes from several threads at once, one buffer each). */
  private List<CachedAnswer> indexInParallel(List<CachedAnswer> batch) throws InterruptedException, ExecutionException {
    int parts = Math.min(loaders.getMaximumPoolSize(), Math.max(1, batch.size() / 64));
    List<Callable<List<CachedAnswer>>> work = new ArrayList<>(parts);
    for (int p = 0; p < parts; p++) {
      List<CachedAnswer> part = batch.subList(batch.size() * p / parts, batch.size() * (p + 1) / parts);
      work.add(() -> index(part));
    }
    List<CachedAnswer> done = new ArrayList<>(batch.size());
    for (var f : loaders.invokeAll(work)) {
      done.addAll(f.get());
    }
    return done;
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (visibility) {
      visibility.notifyAll();
    }
    searchers.shutdown();
    loaders.shutdown();
    try {
      searchers.awaitTermination(5, TimeUnit.SECONDS);
      loaders.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    index.close();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A queued index change; {@code apply} returns the entries it indexed (their shelf copy of the vector is dropped after the refresh). */
  private record Change(Callable<List<CachedAnswer>> apply, boolean awaited, long sequence) {
    Change(Callable<List<CachedAnswer>> apply, boolean awaited) {
      this(apply, awaited, 0);
    }

    Change(Runnable run, boolean awaited) {
      this(() -> {
        run.run();
        return null;
      }, awaited, 0);
    }
  }

  private static final class PolicyOrder {
    final Queue<String> keys = new ConcurrentLinkedQueue<>();
    final AtomicInteger size = new AtomicInteger();
  }
}
