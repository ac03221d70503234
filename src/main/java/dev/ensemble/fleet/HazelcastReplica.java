package dev.ensemble.fleet;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.ensemble.cluster.ClusterMembership;
import dev.ensemble.model.SharedEntry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The fleet's copy of the shared entries in the Hazelcast {@code IMap} {@value #MAP} of the cluster Vert.x
 * runs on: key {@code <kind>/<id>}, value the entry's JSON text. An IMap, not a ReplicatedMap, because a
 * write must be atomic per key (two nodes creating the same provider key name: one wins, one gets 409): every
 * write is a compare-and-set ({@code putIfAbsent} / {@code replace(key, old, new)}) on the key's partition
 * owner, kept with one backup. Every node listens to the map (entry events with values, on Hazelcast's event
 * threads) and applies what arrives to its own SQLite copy. After a network split the two sides' copies merge
 * by {@link VersionedMergePolicy}, and a node of the side that merged into the other re-reads the whole map
 * (what the other side changed meanwhile raises no event there). Map operations block, so they run on worker threads.
 */
public final class HazelcastReplica implements Replica {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastReplica.class);
  public static final String MAP = "ensemble.fleet.entries";
  private static final int MAX_TRIES = 100;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final ClusterMembership membership;
  private IMap<String, String> map;
  private UUID listener;
  private UUID lifecycle;

  public HazelcastReplica(Vertx vertx, ClusterMembership membership) {
    this.vertx = vertx;
    this.hazelcast = hazelcastOf(vertx);
    this.membership = membership;
  }

  /** The Hazelcast member under a clustered Vert.x. */
  public static HazelcastInstance hazelcastOf(Vertx vertx) {
    if (((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager manager) {
      return manager.getHazelcastInstance();
    }
    throw new IllegalStateException("this Vert.x instance is not clustered by Hazelcast");
  }

  /** The map's settings: one backup, merged after a split by {@link VersionedMergePolicy}. */
  public static MapConfig mapConfig() {
    return new MapConfig(MAP).setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(VersionedMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
  }

  @Override
  public Future<List<SharedEntry>> join(List<SharedEntry> local, Consumer<SharedEntry> onChange) {
    return vertx.executeBlocking(() -> {
      try {
        hazelcast.getConfig().addMapConfig(mapConfig());
      } catch (InvalidConfigurationException e) {
        LOG.info("the cluster config defines map {} itself: {}", MAP, e.getMessage());
      }
      map = hazelcast.getMap(MAP);
      listener = map.addEntryListener(new Listener(onChange), true);
      lifecycle = hazelcast.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          // Back from a split on the smaller side: what the other side changed meanwhile raised no event here.
          vertx.executeBlocking(() -> {
            map.values().forEach(v -> onChange.accept(parse(v)));
            return null;
          }, false);
        }
      });
      for (SharedEntry entry : local) {
        write(entry, current -> true, false);
      }
      List<SharedEntry> all = new ArrayList<>();
      map.values().forEach(v -> all.add(parse(v)));
      return all;
    }, false);
  }

  @Override
  public Future<SharedEntry> put(SharedEntry entry, Predicate<SharedEntry> precondition) {
    return vertx.executeBlocking(() -> write(entry, precondition, true), false);
  }

  /**
   * Compare-and-set until the write lands or loses: {@code bump} raises the version past a newer copy (an admin
   * change made now wins), otherwise a newer copy stays and is answered.
   */
  private SharedEntry write(SharedEntry entry, Predicate<SharedEntry> precondition, boolean bump) {
    SharedEntry next = entry;
    for (int i = 0; i < MAX_TRIES; i++) {
      String text = map.get(next.key());
      SharedEntry current = text == null ? null : parse(text);
      if (!precondition.test(current)) {
        throw new Conflict(current);
      }
      if (!next.supersedes(current)) {
        if (!bump) {
          return current;
        }
        next = new SharedEntry(next.kind(), next.id(), current.version() + 1, next.deleted(), next.body());
      }
      String json = next.toJson().encode();
      boolean written = text == null ? map.putIfAbsent(next.key(), json) == null : map.replace(next.key(), text, json);
      if (written) {
        return next;
      }
    }
    throw new IllegalStateException("shared entry " + entry.key() + " kept changing under " + MAX_TRIES + " attempts to write it");
  }

  @Override
  public List<String> peers() {
    String self = membership.nodeId();
    return membership.members().stream().filter(n -> !n.equals(self)).toList();
  }

  @Override
  public Future<Void> leave() {
    if (map == null || listener == null) {
      return Future.succeededFuture();
    }
    UUID id = listener;
    UUID watch = lifecycle;
    listener = null;
    return vertx.executeBlocking(() -> {
      try {
        map.removeEntryListener(id);
        hazelcast.getLifecycleService().removeLifecycleListener(watch);
      } catch (RuntimeException e) {
        LOG.debug("could not remove the shared-entries listener: {}", e.toString());
      }
      return null;
    }, false);
  }

  private static SharedEntry parse(String text) {
    return SharedEntry.fromJson(new JsonObject(text));
  }

  /** Entry events of the map, on Hazelcast's event threads: handed on as parsed entries. */
  private record Listener(Consumer<SharedEntry> onChange)
      implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>, EntryMergedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      hand(event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      hand(event.getValue());
    }

    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      hand(event.getValue());
    }

    private void hand(String value) {
      if (value != null) {
        onChange.accept(parse(value));
      }
    }
  }
}
