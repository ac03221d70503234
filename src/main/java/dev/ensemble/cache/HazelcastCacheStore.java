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

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The fleet's store: the Hazelcast map {@value #MAP} (entry key → entry JSON), each entry put with its time to
 * live, so Hazelcast expires it everywhere. Every node listens to the map (added, updated, removed, expired,
 * evicted) and files what it hears into its own shelf and vector index, on Hazelcast's event threads (the writer files
 * its own entry at once, so its next request hits without waiting for the map); a node that
 * joins registers its listener, then loads the live entries. Writes are asynchronous ({@code putAsync}), never on
 * the caller's critical path.
 */
public final class HazelcastCacheStore implements CacheStore {

  public static final String MAP = "ensemble.response-cache";
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastCacheStore.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
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
      listener = map.addEntryListener(new Listener(), true);
      int loaded = 0;
      for (Map.Entry<String, String> e : map.entrySet()) {
        file(e.getValue());
        loaded++;
      }
      LOG.info("response cache: {} live entries loaded from the fleet", loaded);
      return null;
    }, false);
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
    try {
      CachedAnswer entry = CachedAnswer.fromJson(new JsonObject(json));
      for (String evicted : shelf.put(entry)) {
        map.removeAsync(evicted);
      }
    } catch (RuntimeException e) {
      LOG.warn("response cache: an entry from the fleet could not be read: {}", e.toString());
    }
  }

  @Override
  public void close() {
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
      shelf.remove(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      shelf.remove(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      shelf.remove(event.getKey());
    }
  }
}
