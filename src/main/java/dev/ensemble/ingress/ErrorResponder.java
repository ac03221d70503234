package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/**
 * Sends a {@link GatewayError} as a JSON error in the client's format, with {@code Retry-After} when known and an
 * {@code X-Ensemble-Request-Id} (the admitted request's, else one of its own: {@link RequestIds#stamp}).
 */
final class ErrorResponder {

  private ErrorResponder() {
  }

  /** Sends {@code error}; the future completes when the response is written (at once if it already was). */
  static Future<Void> send(HttpServerResponse response, ClientDialect dialect, GatewayError error) {
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    if (response.headWritten()) {
      return response.end();
    }
    RequestIds.stamp(response);
    response.setStatusCode(error.status()).putHeader("content-type", "application/json");
    if (error.retryAfterSeconds() != null) {
      response.putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
    }
    return response.end(dialect.encodeError(error).toBuffer());
  }
}
