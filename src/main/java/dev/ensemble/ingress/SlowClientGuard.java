package dev.ensemble.ingress;

import dev.ensemble.config.ServerConfig;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes HTTP/1.x keep-alive connections whose client does not send its next request head within
 * {@code server.idle_timeout_ms} after a response ended (whether it sends nothing or drips the head byte by byte).
 * The wait for a head with no byte arriving is {@link BrokenMessageGuard}'s (read-idle), the time to read a body
 * {@link JsonBodyReader}'s. One per {@link IngressVerticle}; its map of connection → pending timer is touched
 * only on that verticle's event loop, where its server's connections live; the timers run on the connection's
 * Netty event loop (the same thread), reached through Vert.x's {@code ConnectionBase}. A WebSocket upgrade and
 * HTTP/2 streams are not timed after their head (pings keep a WebSocket honest; HTTP/2 multiplexes).
 */
final class SlowClientGuard {

  private final long idleTimeoutMs;
  private final Map<HttpConnection, ScheduledFuture<?>> timers = new IdentityHashMap<>();

  SlowClientGuard(ServerConfig server) {
    this.idleTimeoutMs = server.idleTimeoutMs();
  }

  /** A connection Vert.x hands over (at its first request head): forget its timer when it closes. */
  void opened(HttpConnection connection) {
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
    if (connection instanceof ConnectionBase base) {
      timers.put(connection, base.channelHandlerContext().executor().schedule(() -> {
        timers.remove(connection);
        connection.close();
      }, delayMs, TimeUnit.MILLISECONDS));
    }
  }

  private void cancel(HttpConnection connection) {
    ScheduledFuture<?> timer = timers.remove(connection);
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
