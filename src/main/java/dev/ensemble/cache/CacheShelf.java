package dev.ensemble.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * The node's copy of the cache entries (every entry of the fleet, fed by the {@link CacheStore}): a concurrent map by
 * exact key, written and read lock-free from any thread (an entry is visible to exact lookups as soon as
 * {@link #put} returns), and the {@link SemanticIndex} of entries with a vector. The index is owned by one thread
 * of this shelf ({@code ensemble-response-cache-index}): every index change and every vector search runs there in
 * submission order, so a search submitted after a put sees it, and the event loops never wait for Lucene. Each policy
 * keeps at most its {@code max_entries}: past that its oldest entries are evicted (first in, first out).
 */
public final class CacheShelf implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CacheShelf.class);

  private final Map<String, CachedAnswer> entries = new ConcurrentHashMap<>();
  private final Map<String, PolicyOrder> order = new ConcurrentHashMap<>();
  private final SemanticIndex index = new SemanticIndex();
  private final ExecutorService indexer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "ensemble-response-cache-index");
    t.setDaemon(true);
    return t;
  });
  private final ToIntFunction<String> maxEntries;

  /** @param maxEntries the bound of a policy, by policy id */
  public CacheShelf(ToIntFunction<String> maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** The live entry under {@code key}, or null (an expired one is not returned). */
  public CachedAnswer get(String key, long nowMillis) {
    CachedAnswer entry = entries.get(key);
    return entry == null || entry.expired(nowMillis) ? null : entry;
  }

  /** Files an entry (a repeat of one already filed changes nothing); returns the keys its policy evicted to stay in bounds. */
  public List<String> put(CachedAnswer entry) {
    CachedAnswer previous = entries.put(entry.key(), entry);
    if (previous != null && previous.storedAtMillis() == entry.storedAtMillis()) {
      return List.of();
    }
    if (entry.vector() != null) {
      indexing(() -> index.add(entry.key(), entry.contextKey(), entry.vector()));
    }
    if (previous != null) {
      return List.of();
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
    return evicted;
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
      indexing(() -> index.remove(key));
    }
    return true;
  }

  /** The nearest entries of the same context, most similar first (they may have expired since: check with {@link #get}). */
  public CompletableFuture<List<SemanticIndex.Match>> nearest(String contextKey, float[] vector, int k) {
    return CompletableFuture.supplyAsync(() -> index.nearest(contextKey, vector, k), indexer);
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

  /** Bytes of the vector index (its graph, vectors and terms), measured on the index thread. */
  public CompletableFuture<Long> indexBytes() {
    return CompletableFuture.supplyAsync(index::ramBytes, indexer);
  }

  private void indexing(Runnable change) {
    try {
      indexer.execute(() -> {
        try {
          change.run();
        } catch (RuntimeException e) {
          LOG.warn("response cache: the vector index refused a change: {}", e.toString());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      LOG.debug("response cache: index closed, change dropped");
    }
  }

  @Override
  public void close() {
    indexer.shutdown();
    try {
      indexer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    index.close();
  }

  private static final class PolicyOrder {
    final Queue<String> keys = new ConcurrentLinkedQueue<>();
    final AtomicInteger size = new AtomicInteger();
  }
}
