package dev.ensemble.cache;

import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The response cache's figures for the whole fleet: the threshold bands ({@link ThresholdBands}), the drift per route
 * and the recent audits, whichever node saw them.
 *
 * <p>Counters: each node publishes its own ({@link ThresholdBands#counts}, {@link CacheMeters#driftCounts}) to the
 * Hazelcast {@code IMap} {@value #MAP} under its node key (the id of its ledger, stable across restarts), every
 * {@value #PUBLISH_MS} ms when they changed; one writer per key, so last-write-wins is exact, and the figures are
 * rewritten now and then so a copy that won a split-brain merge is corrected. A restarted node resumes from what its
 * key held. Every node listens to the map and keeps the other nodes' latest figures, so a read (the admin route, the
 * fleet drift gauge) sums local copies with no network round trip.
 *
 * <p>Audits: each audit record goes to this node's {@link AuditLog} (its file) and to the Hazelcast {@code Ringbuffer}
 * {@value #AUDITS}, which keeps the fleet's last {@value #RECENT_AUDITS} (the oldest overwritten).
 *
 * <p>Without Hazelcast (a node alone) the figures and audits are this node's. State: {@code peers} is written by
 * Hazelcast's event threads and read by any thread (a concurrent map of immutable JSON); {@code published} belongs to
 * the publishing timer's event loop; the rest is set once by {@link #start}.
 */
public final class FleetCacheStats implements AutoCloseable {

  public static final String MAP = "ensemble.response-cache.stats";
  public static final String AUDITS = "ensemble.response-cache.audits";
  static final long PUBLISH_MS = 500;
  static final int RECENT_AUDITS = AuditLog.RECENT;
  private static final int REFRESH_TICKS = 20;
  private static final Logger LOG = LoggerFactory.getLogger(FleetCacheStats.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String nodeKey;
  private final ResponseCache cache;
  private final AuditLog log;
  private final Map<String, JsonObject> peers = new ConcurrentHashMap<>();
  private volatile JsonObject resumed = new JsonObject();
  private IMap<String, String> map;
  private Ringbuffer<String> ring;
  private long timer = -1;
  private long ticks;
  private String published;

  /** @param hazelcast the fleet's member, or null for a node alone */
  public FleetCacheStats(Vertx vertx, HazelcastInstance hazelcast, String nodeKey, ResponseCache cache, AuditLog log) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.nodeKey = nodeKey;
    this.cache = cache;
    this.log = log;
  }

  public Future<Void> start() {
    cache.policies().labels().forEach(route -> cache.meters().bindFleetDrift(route, this::drift));
    if (hazelcast == null) {
      return Future.succeededFuture();
    }
    return vertx.<Void>executeBlocking(() -> {
      hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(AUDITS).setCapacity(RECENT_AUDITS).setBackupCount(1));
      ring = hazelcast.getRingbuffer(AUDITS);
      map = hazelcast.getMap(MAP);
      map.addEntryListener(new Listener(), true);
      map.forEach(this::take);
      JsonObject own = parse(map.get(nodeKey));
      if (own != null) {
        resumed = own;
      }
      return null;
    }, false).onSuccess(v -> timer = vertx.setPeriodic(PUBLISH_MS, t -> publish()));
  }

  /** This node's figures: since start, plus what it had published before a restart. */
  private JsonObject own() {
    JsonObject before = resumed;
    ThresholdBands bands = new ThresholdBands();
    bands.add(cache.bands().counts());
    bands.add(before.getJsonObject("bands"));
    JsonObject drift = cache.meters().driftCounts();
    JsonObject earlier = before.getJsonObject("drift", new JsonObject());
    for (String route : earlier.fieldNames()) {
      JsonObject now = drift.getJsonObject(route, new JsonObject().put("audits", 0L).put("similarity_sum", 0.0));
      JsonObject then = earlier.getJsonObject(route);
      drift.put(route, new JsonObject().put("audits", number(now, "audits") + number(then, "audits"))
          .put("similarity_sum", number(now, "similarity_sum") + number(then, "similarity_sum")));
    }
    return new JsonObject().put("bands", bands.counts()).put("drift", drift);
  }

  private void publish() {
    if (++ticks % REFRESH_TICKS == 0) {
      published = null;
    }
    String figures = own().encode();
    if (!figures.equals(published)) {
      published = figures;
      map.setAsync(nodeKey, figures);
    }
  }

  /** The threshold bands summed over the fleet. */
  public ThresholdBands bands() {
    ThresholdBands sum = new ThresholdBands();
    sum.add(own().getJsonObject("bands"));
    peers.values().forEach(p -> sum.add(p.getJsonObject("bands")));
    return sum;
  }

  /** Per route: the fleet's audits, their mean answer similarity and the drift (1 − that mean). */
  public JsonObject driftJson() {
    Map<String, double[]> totals = totals();
    JsonObject out = new JsonObject();
    totals.forEach((route, t) -> out.put(route, new JsonObject().put("audits", (long) t[0])
        .put("mean_similarity", t[0] == 0 ? null : t[1] / t[0]).put("drift", t[0] == 0 ? null : 1.0 - t[1] / t[0])));
    return out;
  }

  /** The fleet's drift of {@code route}: 1 − mean similarity of cached to fresh answers, NaN before an audit. */
  double drift(String route) {
    double[] t = totals().get(route);
    return t == null || t[0] == 0 ? Double.NaN : 1.0 - t[1] / t[0];
  }

  private Map<String, double[]> totals() {
    Map<String, double[]> totals = new java.util.TreeMap<>();
    List<JsonObject> nodes = new ArrayList<>(peers.values());
    nodes.add(own());
    for (JsonObject node : nodes) {
      JsonObject drift = node.getJsonObject("drift", new JsonObject());
      for (String route : drift.fieldNames()) {
        double[] t = totals.computeIfAbsent(route, r -> new double[2]);
        t[0] += number(drift.getJsonObject(route), "audits");
        t[1] += number(drift.getJsonObject(route), "similarity_sum");
      }
    }
    return totals;
  }

  /** Records an audit: a line of this node's log (blocking file I/O: call it on a worker) and one of the fleet's recent audits. */
  public void audited(JsonObject record) {
    JsonObject marked = record.copy().put("node", nodeKey);
    log.append(marked);
    if (ring != null) {
      ring.addAsync(marked.encode(), OverflowPolicy.OVERWRITE).whenComplete((seq, err) -> {
        if (err != null) {
          LOG.debug("response cache: sharing an audit with the fleet failed: {}", err.toString());
        }
      });
    }
  }

  /** The most recent audits of the fleet (of this node alone without Hazelcast), newest first. */
  public Future<JsonArray> recentAudits(int limit) {
    if (ring == null) {
      return Future.succeededFuture(log.recent(limit));
    }
    return vertx.executeBlocking(() -> {
      long tail = ring.tailSequence();
      long from = Math.max(ring.headSequence(), tail - limit + 1);
      JsonArray out = new JsonArray();
      if (tail < from) {
        return out;
      }
      ReadResultSet<String> read = ring.readManyAsync(from, 0, limit, null).toCompletableFuture().get();
      List<JsonObject> records = new ArrayList<>();
      read.forEach(item -> {
        JsonObject r = parse(item);
        if (r != null) {
          records.add(r);
        }
      });
      for (int i = records.size() - 1; i >= 0; i--) {
        out.add(records.get(i));
      }
      return out;
    }, false);
  }

  private void take(String key, String value) {
    if (key.equals(nodeKey)) {
      return;
    }
    JsonObject figures = parse(value);
    if (figures != null) {
      peers.put(key, figures);
    }
  }

  private static JsonObject parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      return new JsonObject(value);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static double number(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof Number n ? n.doubleValue() : 0;
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (map != null) {
      try {
        map.setAsync(nodeKey, own().encode());
      } catch (RuntimeException e) {
        LOG.debug("response cache: final figures not published: {}", e.toString());
      }
    }
  }

  /** Entry events with values, on Hazelcast's event threads. */
  private final class Listener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryMergedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      take(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      take(event.getKey(), event.getValue());
    }

    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      take(event.getKey(), event.getValue());
    }
  }
}
