package dev.ensemble.ingress;

import dev.ensemble.bus.Addresses;
import dev.ensemble.wire.Sse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Responses of the other nodes of a fleet, over the clustered event bus on each node's one
 * {@link Addresses#fleetResponse} inbox (registered once per node, never per request):
 * <ul>
 *   <li>{@code {op: find, id}}: the node answers {@code {node, client_id, client_format, live: true, view}} for a
 *       response it is still producing, {@code {node, client_id, client_format, live: false, stored}} for one in its
 *       store, or failure 404;</li>
 *   <li>{@code {op: delete, id}}: the node deletes the response from its store (a caller has checked it may), or
 *       fails 404;</li>
 *   <li>{@code {op: poll, id, after}}: a long poll on a live response — the answer is the events after {@code after}
 *       as soon as there is one ({@code {events, ended}}), an empty batch after {@value #POLL_WAIT_MS} ms, or
 *       {@code {gone: true}} once the response left the live registry (it is then in the store).</li>
 * </ul>
 * A node following another's stream polls again after each batch, so the bytes cross the bus once per batch of
 * events, and resuming with {@code Last-Event-ID} is the same poll with a later {@code after}.
 */
public final class PeerResponses {

  static final long ASK_TIMEOUT_MS = 5_000;
  static final long POLL_WAIT_MS = 15_000;

  private final Supplier<JsonObject> cluster;

  /** @param cluster this node's membership ({@code node_id}, {@code members}); no members: no peers */
  PeerResponses(Supplier<JsonObject> cluster) {
    this.cluster = cluster;
  }

  /** The other members, by node id. */
  List<String> peers() {
    JsonObject c = cluster.get();
    JsonArray members = c.getJsonArray("members");
    List<String> out = new ArrayList<>();
    if (members != null) {
      members.forEach(m -> {
        if (!m.equals(c.getString("node_id"))) {
          out.add((String) m);
        }
      });
    }
    return out;
  }

  /** The first peer that has response {@code id}, live or stored; a failed future when none has. */
  Future<JsonObject> find(Vertx vertx, String id) {
    List<String> peers = peers();
    if (peers.isEmpty()) {
      return Future.failedFuture(new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, 404, "no response " + id));
    }
    Promise<JsonObject> first = Promise.promise();
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (String peer : peers) {
      Future<JsonObject> ask = vertx.eventBus().<JsonObject>request(Addresses.fleetResponse(peer), new JsonObject().put("op", "find").put("id", id),
          new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS)).map(Message::body);
      ask.onSuccess(first::tryComplete);
      asks.add(ask);
    }
    Future.join(asks).onComplete(all -> first.tryFail(new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, 404,
        "no response " + id)));
    return first.future();
  }

  /** Deletes response {@code id} from the store of whichever peer holds it; a failed future when none does. */
  Future<Void> delete(Vertx vertx, String id) {
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (String peer : peers()) {
      asks.add(vertx.eventBus().<JsonObject>request(Addresses.fleetResponse(peer), new JsonObject().put("op", "delete").put("id", id),
          new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS)).map(Message::body));
    }
    return Future.join(asks).transform(all -> asks.stream().anyMatch(Future::succeeded) ? Future.succeededFuture()
        : Future.failedFuture(new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, 404, "no response " + id)));
  }

  /** Writes the events of response {@code id}, live on {@code node}, after {@code after} to {@code out}, until it ends. */
  void follow(Vertx vertx, String node, String id, long after, HttpServerResponse out) {
    if (out.closed() || out.ended()) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.fleetResponse(node), new JsonObject().put("op", "poll").put("id", id).put("after", after),
        new DeliveryOptions().setSendTimeout(POLL_WAIT_MS + ASK_TIMEOUT_MS)).onComplete(ar -> {
          if (ar.failed()) {
            end(out);
            return;
          }
          JsonObject batch = ar.result().body();
          if (batch.getBoolean("gone", false)) {
            // Finished meanwhile: the rest is in the owner's store.
            vertx.eventBus().<JsonObject>request(Addresses.fleetResponse(node), new JsonObject().put("op", "find").put("id", id),
                new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS)).onComplete(found -> {
                  if (found.succeeded() && found.result().body().getJsonObject("stored") != null) {
                    write(out, found.result().body().getJsonObject("stored").getJsonArray("events", new JsonArray()), after);
                  }
                  end(out);
                });
            return;
          }
          JsonArray events = batch.getJsonArray("events", new JsonArray());
          long last = write(out, events, after);
          if (batch.getBoolean("ended", false)) {
            end(out);
          } else {
            follow(vertx, node, id, last, out);
          }
        });
  }

  /** Writes the events after {@code after}; answers the last seq written (or {@code after}). */
  static long write(HttpServerResponse out, JsonArray events, long after) {
    long last = after;
    Buffer buffer = Buffer.buffer();
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      long seq = event.getLong("seq", (long) i);
      if (seq > last) {
        buffer.appendBuffer(Sse.event(seq, event.getString("type"), event.encode()));
        last = seq;
      }
    }
    if (buffer.length() > 0 && !out.closed() && !out.ended()) {
      out.write(buffer);
    }
    return last;
  }

  private static void end(HttpServerResponse out) {
    if (!out.closed() && !out.ended()) {
      out.end();
    }
  }

  /** Registers this node's inbox: answers other nodes from {@code live} and the persistence verticle. */
  public static MessageConsumer<JsonObject> serve(Vertx vertx, String nodeId, LiveResponses live) {
    return vertx.eventBus().consumer(Addresses.fleetResponse(nodeId), msg -> {
      String id = msg.body().getString("id");
      ResponseJournal journal = live.find(id);
      Context here = vertx.getOrCreateContext();
      if ("poll".equals(msg.body().getString("op"))) {
        if (journal == null) {
          msg.reply(new JsonObject().put("gone", true));
        } else {
          new BusFollower(vertx, journal, msg, msg.body().getLong("after", -1L)).start();
        }
        return;
      }
      if ("delete".equals(msg.body().getString("op"))) {
        vertx.eventBus().request(Addresses.PERSIST_RESPONSE_DELETE, id).onComplete(ar -> {
          if (ar.succeeded()) {
            msg.reply(new JsonObject().put("node", nodeId).put("deleted", true));
          } else {
            msg.fail(ar.cause() instanceof ReplyException r && r.failureCode() == 404 ? 404 : 500, "no response " + id);
          }
        });
        return;
      }
      if (journal != null) {
        journal.view(here, view -> msg.reply(new JsonObject().put("node", nodeId).put("client_id", journal.clientId())
            .put("client_format", journal.clientFormat()).put("live", true).put("view", view)));
        return;
      }
      vertx.eventBus().<JsonObject>request(Addresses.PERSIST_RESPONSE_GET, id).onComplete(ar -> {
        if (ar.succeeded()) {
          JsonObject stored = ar.result().body();
          msg.reply(new JsonObject().put("node", nodeId).put("client_id", stored.getString("client_id"))
              .put("client_format", stored.getString("client_format")).put("live", false).put("stored", stored));
        } else {
          msg.fail(ar.cause() instanceof ReplyException r && r.failureCode() == 404 ? 404 : 500, "no response " + id);
        }
      });
    });
  }

  /** One long poll of another node: answered once, with the first events there are, or empty after the wait. */
  private static final class BusFollower implements Follower {
    private final Vertx vertx;
    private final ResponseJournal journal;
    private final Message<JsonObject> msg;
    private final long after;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile long timer = -1;

    BusFollower(Vertx vertx, ResponseJournal journal, Message<JsonObject> msg, long after) {
      this.vertx = vertx;
      this.journal = journal;
      this.msg = msg;
      this.after = after;
    }

    void start() {
      timer = vertx.setTimer(POLL_WAIT_MS, t -> finish(new JsonArray(), false));
      journal.follow(this);
    }

    @Override
    public long afterSeq() {
      return after;
    }

    @Override
    public void replay(List<JsonObject> events) {
      if (!events.isEmpty()) {
        JsonArray batch = new JsonArray();
        events.forEach(batch::add);
        finish(batch, terminal(events.get(events.size() - 1)));
      }
    }

    @Override
    public void event(JsonObject event) {
      if (event.getLong("seq") > after) {
        finish(new JsonArray().add(event), terminal(event));
      }
    }

    @Override
    public void end() {
      finish(new JsonArray(), true);
    }

    private static boolean terminal(JsonObject event) {
      String type = event.getString("type");
      return "response.end".equals(type) || "error".equals(type);
    }

    private void finish(JsonArray events, boolean ended) {
      if (done.compareAndSet(false, true)) {
        vertx.cancelTimer(timer);
        journal.unfollow(this);
        msg.reply(new JsonObject().put("events", events).put("ended", ended));
      }
    }
  }
}
