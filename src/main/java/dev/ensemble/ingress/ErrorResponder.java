package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import io.vertx.core.http.HttpServerResponse;

/** Sends a {@link GatewayError} as a JSON error in the client's format, with {@code Retry-After} when known. */
final class ErrorResponder {

  private ErrorResponder() {
  }

  static void send(HttpServerResponse response, ClientDialect dialect, GatewayError error) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.end();
      return;
    }
    response.setStatusCode(error.status()).putHeader("content-type", "application/json");
    if (error.retryAfterSeconds() != null) {
      response.putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
    }
    response.end(dialect.encodeError(error).toBuffer());
  }
}
