package dev.ensemble.persistence;

import dev.ensemble.bus.Addresses;
import dev.ensemble.clients.Client;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.persistence.sqlite.SqliteClients;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The persistence verticle's side of the gateway clients: the only writer of the {@code clients} table and
 * so the source of every {@link dev.ensemble.clients.ClientDirectory}. At start it sends the directory with
 * each client's spend this UTC month from the ledger; after each create or delete it sends the new directory
 * and replies to the admin API only once the registry acknowledged it, so a key works as soon as its
 * creation is answered, and stops working as soon as its deletion is.
 */
final class ClientTable {

  private static final Logger LOG = LoggerFactory.getLogger(ClientTable.class);

  private final Vertx vertx;
  private final SqliteClients clients;
  private final Clock clock;

  ClientTable(Vertx vertx, SqliteClients clients, Clock clock) {
    this.vertx = vertx;
    this.clients = clients;
    this.clock = clock;
  }

  /** Sends the first directory (with the ledger's spend of this month; flush the ledger first), then serves the admin API. */
  Future<Void> start() {
    YearMonth month = ClientRegistry.month(clock.instant());
    return clients.spentSince(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant())
        .compose(spent -> publish(month, spent))
        .compose(v -> register());
  }

  private Future<Void> register() {
    var bus = vertx.eventBus();
    bus.<JsonObject>localConsumer(Addresses.PERSIST_CLIENT_CREATE, msg -> {
      Client client = Client.fromJson(msg.body());
      clients.insert(client).compose(v -> publish(null, Map.of())).onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(client.publicJson());
        } else {
          LOG.error("could not create client {}: {}", client.id(), ar.cause().toString());
          msg.fail(500, "the client could not be stored");
        }
      });
    });
    return bus.<String>localConsumer(Addresses.PERSIST_CLIENT_DELETE, msg -> clients.delete(msg.body()).onComplete(ar -> {
      if (ar.failed()) {
        LOG.error("could not delete client {}: {}", msg.body(), ar.cause().toString());
        msg.fail(500, "the client could not be deleted");
      } else if (!ar.result()) {
        msg.fail(404, "no client " + msg.body());
      } else {
        publish(null, Map.of()).onComplete(p -> {
          if (p.succeeded()) {
            msg.reply(msg.body());
          } else {
            msg.fail(500, "the client directory could not be updated");
          }
        });
      }
    })).completion();
  }

  /** Sends the whole directory; a node without a registry (a persistence verticle deployed alone) is fine. */
  private Future<Void> publish(YearMonth month, Map<String, Long> spent) {
    return clients.all().compose(all -> vertx.eventBus().request(Addresses.CLIENTS_DIRECTORY, directory(all, month, spent)).<Void>mapEmpty()
        .recover(err -> err instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture() : Future.failedFuture(err)));
  }

  private static JsonObject directory(List<Client> all, YearMonth month, Map<String, Long> spent) {
    JsonArray list = new JsonArray();
    all.forEach(c -> list.add(c.toJson()));
    JsonObject out = new JsonObject().put("clients", list);
    if (month != null) {
      JsonObject s = new JsonObject();
      spent.forEach(s::put);
      out.put("month", month.toString()).put("spent_e10", s);
    }
    return out;
  }
}
