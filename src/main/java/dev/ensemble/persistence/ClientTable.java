package dev.ensemble.persistence;

import dev.ensemble.bus.Addresses;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.persistence.sqlite.SqliteClients;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The persistence verticle's side of the gateway clients' budgets: at start it sends the node's
 * {@link ClientRegistry} each client's spend this UTC month from this node's ledger (the clients themselves
 * come from the shared entries, see {@code dev.ensemble.fleet.FleetStateVerticle}).
 */
final class ClientTable {

  private final Vertx vertx;
  private final SqliteClients clients;
  private final Clock clock;

  ClientTable(Vertx vertx, SqliteClients clients, Clock clock) {
    this.vertx = vertx;
    this.clients = clients;
    this.clock = clock;
  }

  /** Sends this month's spend per client; a persistence verticle deployed without a registry is fine. */
  Future<Void> start() {
    YearMonth month = ClientRegistry.month(clock.instant());
    return clients.spentSince(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()).compose(spent -> {
      JsonObject s = new JsonObject();
      spent.forEach(s::put);
      return vertx.eventBus().request(Addresses.CLIENTS_DIRECTORY, new JsonObject().put("month", month.toString()).put("spent_e10", s))
          .<Void>mapEmpty()
          .recover(err -> err instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
              ? Future.succeededFuture() : Future.failedFuture(err));
    });
  }
}
