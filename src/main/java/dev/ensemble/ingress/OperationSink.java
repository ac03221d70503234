package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.routing.Selection;

/**
 * Where an {@link OperationExchange}'s answer goes: an HTTP client ({@link #http}) or a caller inside the gateway
 * (the response cache's {@link PoolEmbedder}). Confined to the exchange's event loop.
 */
interface OperationSink {

  /** An attempt goes to {@code selection} (HTTP: the {@code X-Ensemble-*} headers). */
  void routed(Selection selection, int attempts);

  void answer(Operation.Answer answer);

  void fail(GatewayError error);

  /** Whether nobody waits for the answer any more. */
  boolean closed();

  static OperationSink http(io.vertx.core.http.HttpServerResponse client, Headers.Names names, RoutingHeaders routing,
      dev.ensemble.wire.ClientDialect dialect) {
    return new OperationSink() {
      @Override
      public void routed(Selection selection, int attempts) {
        routing.put(client, names, selection.decision(), attempts);
      }

      @Override
      public void answer(Operation.Answer answer) {
        if (!client.closed()) {
          client.setStatusCode(200).putHeader("content-type", "application/json").end(answer.body().toBuffer());
        }
      }

      @Override
      public void fail(GatewayError error) {
        if (!client.closed()) {
          ErrorResponder.send(client, dialect, error);
        }
      }

      @Override
      public boolean closed() {
        return client.closed();
      }
    };
  }
}
