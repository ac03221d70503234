package dev.ensemble.cache;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The fleet's store: the Hazelcast map {@value #MAP} (entry key → entry JSON), each entry put with its time to
 * live, so Hazelcast expires it everywhere. Every node listens to the map (added, updated, removed, expired,
 * evicted) and files what it hears into its own shelf and vector index, on Hazelcast's event threads (the writer files
 * its own entry at once, so its next request hits without waiting for the map). A node that joins registers its
 * listener, completes {@link #start} (the node serves from then on: uncached requests, and exact hits on what is
 * loaded so far), and loads the live entries in the background on one worker thread ({@code ensemble-response-cache-join}):
 * the live keys, then their entries in pages of {@value #PAGE} ({@code getAll}), each page filed at once and indexed by
 * the shelf in bulk.
 * {@link #loading} says whether that is still going on; keys removed meanwhile ({@code removedWhileLoading}, written
 * by the listener) are not loaded. Writes are asynchronous ({@code putAsync}), never on the caller's critical path.
 */
public final class HazelcastCacheStore implements CacheStore {

  public static final String MAP = "ensemble.response-cache";
  static final int PAGE = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastCacheStore.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final Set<String> removedWhileLoading = ConcurrentHashMap.newKeySet();
  private volatile boolean loading;
  private volatile boolean closed;
  private IMap<String, String> map;
  private UUID listener;
  private CacheShelf shelf;

  public HazelcastCacheStore(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  @Override
  public Future<Void> start(CacheShelf shelf) {
    this.shelf = shelf;
    return vertx.executeBlocking(() -> {
      map = hazelcast.getMap(MAP);
      loading = true;
      listener = map.addEntryListener(new Listener(), true);
      Thread join = new Thread(this::loadLiveEntries, "ensemble-response-cache-join");
      join.setDaemon(true);
      join.start();
      return null;
    }, false);
  }

  @Override
  public boolean loading() {
    return loading;
  }

  /** The joining node's load of the live entries (see the class comment). */
  private void loadLiveEntries() {
    long started = System.nanoTime();
    int loaded = 0;
    try {
      List<String> keys = new ArrayList<>(map.keySet());
      for (int from = 0; from < keys.size() && !closed; from += PAGE) {
        Map<String, String> values = map.getAll(new HashSet<>(keys.subList(from, Math.min(keys.size(), from + PAGE))));
        List<CachedAnswer> page = new ArrayList<>(values.size());
        for (String json : values.values()) {
          CachedAnswer entry = read(json);
          if (entry != null && !removedWhileLoading.contains(entry.key())) {
            page.add(entry);
          }
        }
        loaded += page.size();
        for (String evicted : shelf.load(page)) {
          map.removeAsync(evicted);
        }
      }
      LOG.info("response cache: {} live entries loaded from the fleet in {} ms ({} vector changes still queued for the index)", loaded,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), shelf.indexBacklog());
    } catch (RuntimeException e) {
      LOG.warn("response cache: loading the fleet's entries stopped after {}: {}", loaded, e.toString());
    } finally {
      loading = false;
      removedWhileLoading.clear();
    }
  }

  @Override
  public void put(CachedAnswer entry) {
    for (String evicted : shelf.put(entry)) {
      map.removeAsync(evicted);
    }
    long ttlMillis = Math.max(1, entry.expiresAtMillis() - System.currentTimeMillis());
    map.putAsync(entry.key(), entry.toJson().encode(), ttlMillis, TimeUnit.MILLISECONDS)
        .whenComplete((v, err) -> {
          if (err != null) {
            LOG.warn("response cache: storing an entry in the fleet failed: {}", err.toString());
          }
        });
  }

  @Override
  public void remove(String key) {
    shelf.remove(key);
    map.removeAsync(key);
  }

  private void file(String json) {
    CachedAnswer entry = read(json);
    if (entry != null) {
      for (String evicted : shelf.put(entry)) {
        map.removeAsync(evicted);
      }
    }
  }

  private static CachedAnswer read(String json) {
    try {
      return CachedAnswer.fromJson(new JsonObject(json));
    } catch (RuntimeException e) {
      LOG.warn("response cache: an entry from the fleet could not be read: {}", e.toString());
      return null;
    }
  }

  private void removed(String key) {
    if (loading) {
      removedWhileLoading.add(key);
    }
    shelf.remove(key);
  }

  @Override
  public void close() {
    closed = true;
    if (map != null && listener != null) {
      try {
        map.removeEntryListener(listener);
      } catch (RuntimeException e) {
        LOG.debug("response cache: listener not removed: {}", e.toString());
      }
    }
  }

  private final class Listener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String>, EntryExpiredListener<String, String>, EntryEvictedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      file(event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      file(event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      removed(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      removed(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      removed(event.getKey());
    }
  }
}
