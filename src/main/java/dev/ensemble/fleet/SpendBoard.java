package dev.ensemble.fleet;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.ensemble.clients.ClientRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Fleet-wide client budgets: every node's spend per client, in the Hazelcast {@code IMap} {@value #MAP} under
 * {@code <client id>|<ledger id>} with the value {@code <month>:<spend in 10^-10 USD>}. Each node writes only
 * its own ledger's keys (one writer per key, so last-write-wins is exact), every {@value #PUBLISH_INTERVAL_MS} ms
 * for the clients whose spend changed, without waiting ({@code setAsync}); it listens to the map and hands the
 * other ledgers' figures to its {@link ClientRegistry}, which adds them to its own when it checks a budget. The
 * request path reads only that local sum: no network round trip per request.
 *
 * <p>The ledger id names the node's SQLite ledger, not its process, so a restarted node overwrites its own
 * figures instead of adding a second set; after a whole-fleet restart each node republishes what its ledger
 * holds. Worst overshoot of a budget: the requests other nodes finish within one publication interval plus the
 * map's event delivery (measured in bench/RESULTS.md), plus requests already running when the budget runs out.
 * The map's owner (this verticle's event loop) keeps {@code published}; Hazelcast's threads only call the registry.
 */
public final class SpendBoard extends VerticleBase {

  public static final String MAP = "ensemble.fleet.spend";
  public static final long PUBLISH_INTERVAL_MS = 250;
  private static final int REFRESH_TICKS = 40;

  private final HazelcastInstance hazelcast;
  private final ClientRegistry registry;
  private final String ledgerId;
  private final Map<String, String> published = new HashMap<>();
  private IMap<String, String> map;
  private UUID listener;
  private long timer = -1;
  private long ticks;

  public SpendBoard(HazelcastInstance hazelcast, ClientRegistry registry, String ledgerId) {
    this.hazelcast = hazelcast;
    this.registry = registry;
    this.ledgerId = ledgerId;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> {
      map = hazelcast.getMap(MAP);
      listener = map.addEntryListener(new Listener(), true);
      map.forEach((key, value) -> take(key, value));
      return null;
    }, false).onSuccess(v -> {
      publish();
      timer = vertx.setPeriodic(PUBLISH_INTERVAL_MS, t -> publish());
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    UUID id = listener;
    return vertx.executeBlocking(() -> {
      publishNow();
      if (id != null) {
        map.removeEntryListener(id);
      }
      return null;
    }, false);
  }

  private void publish() {
    if (++ticks % REFRESH_TICKS == 0) {
      // Rewrites every figure now and then: after a split healed, the other side's older copy may have won.
      published.clear();
    }
    registry.ownSpend().forEach((client, value) -> {
      if (!value.equals(published.get(client))) {
        published.put(client, value);
        map.setAsync(client + "|" + ledgerId, value);
      }
    });
  }

  private void publishNow() {
    registry.ownSpend().forEach((client, value) -> map.set(client + "|" + ledgerId, value));
  }

  private void take(String key, String value) {
    int bar = key.lastIndexOf('|');
    if (bar > 0 && value != null && !key.substring(bar + 1).equals(ledgerId)) {
      registry.peerSpent(key.substring(0, bar), key.substring(bar + 1), value);
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
