package dev.ensemble.clients;

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

  /** Adds a finished request's cost to the client's spend this month. */
  public void bill(BigDecimal costUsd) {
    if (client != null) {
      registry.bill(client.id(), costUsd);
    }
  }
}
