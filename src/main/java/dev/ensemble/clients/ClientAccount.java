package dev.ensemble.clients;

import dev.ensemble.model.GatewayError;
import io.vertx.core.Future;

import java.math.BigDecimal;

/**
 * Who a request is billed to: a gateway client and the registry that keeps its spend, or nobody
 * ({@link #ANONYMOUS}, when the node allows requests without a key).
 */
public record ClientAccount(Client client, ClientRegistry registry) {

  public static final ClientAccount ANONYMOUS = new ClientAccount(null, null);

  /** The client's id, or null when anonymous. */
  public String clientId() {
    return client == null ? null : client.id();
  }

  public OnDisconnect onDisconnect() {
    return client == null ? OnDisconnect.CONTINUE : client.onDisconnect();
  }

  /**
   * Admits one more request of this client (its budget and {@code rpm_limit}); anonymous requests always pass.
   *
   * Completes at once unless the client's rate is counted in Redis; fails with the refusal, a {@code GatewayError}:
   * 429 for a spent monthly budget or over the client's rate.
   */
  public Future<Void> admit() {
    if (client == null) {
      return Future.succeededFuture();
    }
    if (!registry.countsSharedLimitOf(client)) {
      // ready at once (budget and local rate from memory): no future chained on another
      GatewayError refused = registry.admit(client);
      return refused == null ? Future.succeededFuture() : Future.failedFuture(refused);
    }
    return registry.admitShared(client).compose(refused -> refused == null ? Future.succeededFuture() : Future.failedFuture(refused));
  }

  /** Adds a finished request's cost to the client's spend this month. */
  public void bill(BigDecimal costUsd) {
    if (client != null) {
      registry.bill(client.id(), costUsd);
    }
  }
}
