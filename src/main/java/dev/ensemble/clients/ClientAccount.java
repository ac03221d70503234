package dev.ensemble.clients;

import dev.ensemble.model.GatewayError;

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
   * @throws GatewayError the refusal: 429 for a spent monthly budget or over the client's rate
   */
  public void admit() {
    if (client != null) {
      GatewayError refused = registry.admit(client);
      if (refused != null) {
        throw refused;
      }
    }
  }

  /** Adds a finished request's cost to the client's spend this month. */
  public void bill(BigDecimal costUsd) {
    if (client != null) {
      registry.bill(client.id(), costUsd);
    }
  }
}
