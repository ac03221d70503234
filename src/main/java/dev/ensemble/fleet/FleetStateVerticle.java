package dev.ensemble.fleet;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.SharedEntry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The node's owner of the shared admin state (gateway clients, admin-added provider keys, the encryption-key
 * check): its {@code entries} map is this verticle's alone (its event loop), the newest copy of each entry this
 * node knows. Three copies converge on the same winners ({@link SharedEntry#supersedes}): this map, the node's
 * SQLite file (written through the persistence verticle before a change is in force here) and, in a cluster,
 * the fleet's Hazelcast map ({@link Replica}).
 * <ul>
 *   <li>At start: the SQLite copy is read, the fleet's copy joined (the node adds what it has newer, e.g. after a
 *       whole-fleet restart, and takes what the fleet has newer, e.g. after it was away), the result stored and
 *       the client directory handed to the {@code ClientRegistry}.</li>
 *   <li>{@link Addresses#FLEET_PUT}: an admin change, versioned here, written to the fleet's copy, applied
 *       here, then awaited on every other live member ({@link Addresses#fleetApplied}, at most
 *       {@link #BARRIER_TIMEOUT_MS}) before it is answered; members that did not confirm are named in the
 *       answer's {@code pending_nodes}.</li>
 *   <li>Changes of other nodes arrive from the replica and are applied the same way: stored, then handed to
 *       their owner — the client directory to {@link Addresses#CLIENTS_DIRECTORY}, a provider key to
 *       {@link Addresses#KEYS_CHANGED}.</li>
 *   <li>In a cluster it also answers other members for this node's ledger ({@link Addresses#fleetUsage}).</li>
 * </ul>
 */
public final class FleetStateVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(FleetStateVerticle.class);
  static final long BARRIER_TIMEOUT_MS = 5_000;
  private static final long ASK_TIMEOUT_MS = 30_000;

  private final Replica replica;
  private final String nodeId;
  private final LongSupplier clock;
  private final Map<String, SharedEntry> entries = new HashMap<>();
  private final Map<String, List<Waiter>> waiters = new HashMap<>();
  /** The latest version of each entry that is in force here (stored and handed to its owner), and applies under way. */
  private final Map<String, Long> inForce = new HashMap<>();
  private final Map<String, Future<Void>> applying = new HashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  private record Waiter(long version, Message<JsonObject> msg, long timer) {}

  /** @param nodeId this node's event-bus node id in a cluster, null on a single node */
  public FleetStateVerticle(Replica replica, String nodeId, LongSupplier clockMillis) {
    this.replica = replica;
    this.nodeId = nodeId;
    this.clock = clockMillis;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return bus.<JsonObject>request(Addresses.PERSIST_ENTRIES_LIST, null, options())
        .compose(reply -> {
          List<SharedEntry> local = new ArrayList<>();
          reply.body().getJsonArray("entries", new JsonArray()).forEach(e -> local.add(SharedEntry.fromJson((JsonObject) e)));
          local.forEach(e -> entries.put(e.key(), e));
          return replica.join(local, entry -> context.runOnContext(v -> apply(entry)));
        })
        .compose(fleet -> {
          List<Future<Boolean>> stored = new ArrayList<>();
          for (SharedEntry e : fleet) {
            if (e.supersedes(entries.get(e.key()))) {
              entries.put(e.key(), e);
              stored.add(store(e));
            }
          }
          return Future.all(stored);
        })
        .compose(v -> sendDirectory())
        .compose(v -> {
          entries.values().forEach(e -> inForce.merge(e.key(), e.version(), Math::max));
          consumers.add(bus.<JsonObject>localConsumer(Addresses.FLEET_PUT, this::put));
          consumers.add(bus.<String>localConsumer(Addresses.FLEET_LIST, msg -> msg.reply(list(msg.body()))));
          if (nodeId != null) {
            consumers.add(bus.<JsonObject>consumer(Addresses.fleetApplied(nodeId), this::awaitApplied));
            consumers.add(bus.<JsonObject>consumer(Addresses.fleetUsage(nodeId), this::usage));
          }
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
  }

  @Override
  public Future<?> stop() {
    return replica.leave();
  }

  /** Another member asks for this node's ledger: answered with costs as text, exact across the wire. */
  private void usage(Message<JsonObject> msg) {
    vertx.eventBus().<JsonObject>request(Addresses.PERSIST_USAGE, msg.body(), options()).onComplete(ar -> {
      if (ar.failed()) {
        msg.fail(500, "the usage ledger could not be read");
        return;
      }
      JsonArray rows = new JsonArray();
      ar.result().body().getJsonArray("rows", new JsonArray()).forEach(r -> {
        JsonObject row = ((JsonObject) r).copy();
        row.put("cost_usd", String.valueOf(row.getValue("cost_usd")));
        rows.add(row);
      });
      msg.reply(new JsonObject().put("rows", rows));
    });
  }

  private JsonObject list(String kind) {
    JsonArray out = new JsonArray();
    live(kind).forEach(e -> out.add(e.toJson()));
    return new JsonObject().put("entries", out);
  }

  private List<SharedEntry> live(String kind) {
    return entries.values().stream().filter(e -> e.kind().equals(kind) && !e.deleted())
        .sorted(Comparator.comparing((SharedEntry e) -> e.body().getValue("created_at", "").toString()).thenComparing(SharedEntry::id))
        .toList();
  }

  /** An admin change: version, write to the fleet, apply here, wait for the other members, answer. */
  private void put(Message<JsonObject> msg) {
    JsonObject req = msg.body();
    String kind = req.getString("kind");
    String id = req.getString("id");
    boolean deleted = req.getBoolean("deleted", false);
    String expect = req.getString("expect");
    Predicate<SharedEntry> precondition = current -> {
      boolean live = current != null && !current.deleted();
      return expect == null || ("absent".equals(expect) ? !live : live);
    };
    SharedEntry known = entries.get(kind + "/" + id);
    if (!precondition.test(known)) {
      fail(msg, known);
      return;
    }
    long version = Math.max(clock.getAsLong(), known == null ? 0 : known.version() + 1);
    SharedEntry entry = deleted ? SharedEntry.deletion(kind, id, version) : SharedEntry.of(kind, id, version, req.getJsonObject("body"));
    // The fleet's copy decides, unless it lacks this node's copy or holds an older one: on the smaller side of a
    // network split the map has lost the partitions whose owner and backup were both on the other side, yet this
    // node still holds (and serves) those entries.
    Predicate<SharedEntry> againstFleet = current -> precondition.test(known != null && known.supersedes(current) ? known : current);
    replica.put(entry, againstFleet)
        .compose(written -> apply(written).map(written))
        .compose(written -> barrier(written).map(pending -> written.toJson().put("pending_nodes", pending)))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            msg.reply(ar.result());
          } else if (ar.cause() instanceof Replica.Conflict c) {
            fail(msg, c.current());
          } else {
            LOG.error("shared entry {}/{} could not be written: {}", kind, id, ar.cause().toString());
            msg.fail(500, "the change could not be stored: " + ar.cause().getMessage());
          }
        });
  }

  private static void fail(Message<JsonObject> msg, SharedEntry current) {
    boolean live = current != null && !current.deleted();
    msg.fail(live ? 409 : 404, live ? "exists" : "absent");
  }

  /**
   * Makes {@code entry} this node's copy if it supersedes the one here: stored in SQLite, then handed to its
   * owner; completes once the owner serves it (at once when it changes nothing).
   */
  private Future<Void> apply(SharedEntry entry) {
    if (!entry.supersedes(entries.get(entry.key()))) {
      return applying.getOrDefault(entry.key(), Future.succeededFuture());
    }
    entries.put(entry.key(), entry);
    Future<Void> applied = store(entry).compose(v -> switch (entry.kind()) {
      case SharedEntry.CLIENT -> sendDirectory();
      case SharedEntry.KEY, SharedEntry.KEY_STATE, SharedEntry.VAULT -> vertx.eventBus().request(Addresses.KEYS_CHANGED, entry.toJson(), options()).<Void>mapEmpty()
          .recover(FleetStateVerticle::ignoreNoHandlers);
      default -> Future.<Void>succeededFuture();
    });
    applying.put(entry.key(), applied);
    return applied.onComplete(ar -> {
      if (ar.failed()) {
        LOG.error("shared entry {} could not be applied on this node: {}", entry.key(), ar.cause().toString());
      }
      inForce.merge(entry.key(), entry.version(), Math::max);
      if (applying.get(entry.key()) == applied) {
        applying.remove(entry.key());
      }
      release(entry.key());
    });
  }

  private Future<Boolean> store(SharedEntry entry) {
    return vertx.eventBus().<Boolean>request(Addresses.PERSIST_ENTRY_PUT, entry.toJson(), options()).map(Message::body);
  }

  private Future<Void> sendDirectory() {
    JsonArray clients = new JsonArray();
    live(SharedEntry.CLIENT).forEach(e -> clients.add(e.body()));
    return vertx.eventBus().request(Addresses.CLIENTS_DIRECTORY, new JsonObject().put("clients", clients), options()).<Void>mapEmpty()
        .recover(FleetStateVerticle::ignoreNoHandlers);
  }

  private static Future<Void> ignoreNoHandlers(Throwable err) {
    return err instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS ? Future.succeededFuture() : Future.failedFuture(err);
  }

  /** Asks every other live member to confirm it applied {@code entry}; answers those that did not in time. */
  private Future<JsonArray> barrier(SharedEntry entry) {
    List<String> peers = replica.peers();
    if (peers.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    JsonObject ask = new JsonObject().put("key", entry.key()).put("version", entry.version());
    List<Future<String>> answers = new ArrayList<>();
    for (String peer : peers) {
      Promise<String> answer = Promise.promise();
      vertx.eventBus().request(Addresses.fleetApplied(peer), ask, new DeliveryOptions().setSendTimeout(BARRIER_TIMEOUT_MS))
          .onComplete(ar -> answer.complete(ar.succeeded() ? null : peer));
      answers.add(answer.future());
    }
    return Future.all(answers).map(all -> {
      JsonArray pending = new JsonArray();
      answers.forEach(a -> {
        if (a.result() != null) {
          pending.add(a.result());
        }
      });
      if (!pending.isEmpty()) {
        LOG.warn("shared entry {} v{} is not yet confirmed by member(s) {}", entry.key(), entry.version(), pending);
      }
      return pending;
    });
  }

  /** Another member waits for this node to hold an entry at least at some version. */
  private void awaitApplied(Message<JsonObject> msg) {
    String key = msg.body().getString("key");
    long version = msg.body().getLong("version", 0L);
    Long known = inForce.get(key);
    if (known != null && known >= version) {
      msg.reply(known);
      return;
    }
    long timer = vertx.setTimer(BARRIER_TIMEOUT_MS, t -> {
      List<Waiter> list = waiters.get(key);
      if (list != null) {
        list.removeIf(w -> w.msg() == msg);
      }
    });
    waiters.computeIfAbsent(key, k -> new ArrayList<>()).add(new Waiter(version, msg, timer));
  }

  private void release(String key) {
    List<Waiter> list = waiters.get(key);
    Long known = inForce.get(key);
    if (list == null || known == null) {
      return;
    }
    list.removeIf(w -> {
      if (known >= w.version()) {
        vertx.cancelTimer(w.timer());
        w.msg().reply(known);
        return true;
      }
      return false;
    });
    if (list.isEmpty()) {
      waiters.remove(key);
    }
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
  }
}
