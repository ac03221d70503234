package dev.ensemble.ingress;

import dev.ensemble.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Closes connections whose client is too slow to send a request head: a new connection gets
 * {@code server.header_read_timeout_ms} for its first request's head, and an HTTP/1.x keep-alive connection
 * {@code server.idle_timeout_ms} after each response ends for the next one (the time to read a body is
 * {@link JsonBodyReader}'s). One per {@link IngressVerticle}; its map of connection → pending timer is touched
 * only on that verticle's event loop, where its server's connections live. A WebSocket upgrade and HTTP/2
 * streams are not timed after their head (pings keep a WebSocket honest; HTTP/2 multiplexes).
 */
final class SlowClientGuard {

  private final Vertx vertx;
  private final long headerReadTimeoutMs;
  private final long idleTimeoutMs;
  private final Map<HttpConnection, Long> timers = new IdentityHashMap<>();

  SlowClientGuard(Vertx vertx, ServerConfig server) {
    this.vertx = vertx;
    this.headerReadTimeoutMs = server.headerReadTimeoutMs();
    this.idleTimeoutMs = server.idleTimeoutMs();
  }

  /** A connection opened: its first request's head must arrive in time. */
  void opened(HttpConnection connection) {
    arm(connection, headerReadTimeoutMs);
    connection.closeHandler(v -> cancel(connection));
  }

  /** A request's head arrived on its connection; for HTTP/1.x the next one must follow its response in time. */
  void headRead(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    cancel(connection);
    if (request.version() != HttpVersion.HTTP_2 && !request.headers().contains(HttpHeaders.UPGRADE)) {
      request.response().endHandler(v -> arm(connection, idleTimeoutMs));
    }
  }

  private void arm(HttpConnection connection, long delayMs) {
    cancel(connection);
    timers.put(connection, vertx.setTimer(delayMs, id -> {
      if (timers.remove(connection, id)) {
        connection.close();
      }
    }));
  }

  private void cancel(HttpConnection connection) {
    Long timer = timers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
