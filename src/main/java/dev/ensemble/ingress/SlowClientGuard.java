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
 * {@link JsonBodyReader}'s. One per {@link IngressVerticle}; its map of connection → {@link Watch} is touched
 * only on that verticle's event loop, where its server's connections live; the checks run on the connection's
 * Netty event loop (the same thread), reached through Vert.x's {@code ConnectionBase}. A WebSocket upgrade and
 * HTTP/2 streams are not timed after their head (pings keep a WebSocket honest; HTTP/2 multiplexes).
 *
 * <p>No timer per request: a response's end only notes when the wait for the next head started, and a connection has
 * at most one check scheduled, which closes it if it is still waiting at the deadline, or else schedules itself for the
 * rest of the wait (or not at all when a head came in meantime). A busy keep-alive connection costs one scheduled check
 * per idle period instead of a schedule and a cancel per request.
 */
final class SlowClientGuard {

  private final long idleTimeoutNanos;
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();

  SlowClientGuard(ServerConfig server) {
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(server.idleTimeoutMs());
  }

  /** One connection's wait for its next head. */
  private final class Watch {
    private final ConnectionBase connection;
    /** Whether the connection waits for its next head (no request under way), and until when. */
    private boolean waiting;
    private long deadlineNanos;
    private ScheduledFuture<?> check;

    Watch(ConnectionBase connection) {
      this.connection = connection;
    }

    void waitForHead() {
      waiting = true;
      deadlineNanos = System.nanoTime() + idleTimeoutNanos;
      if (check == null) {
        schedule(idleTimeoutNanos);
      }
    }

    private void schedule(long delayNanos) {
      check = connection.channelHandlerContext().executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
      check = null;
      if (!waiting) {
        return;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        schedule(left);
      } else {
        watches.remove(connection);
        connection.close();
      }
    }

    void forget() {
      waiting = false;
      if (check != null) {
        check.cancel(false);
        check = null;
      }
    }
  }

  /** A connection Vert.x hands over (at its first request head): forget its watch when it closes. */
  void opened(HttpConnection connection) {
    connection.closeHandler(v -> {
      Watch watch = watches.remove(connection);
      if (watch != null) {
        watch.forget();
      }
    });
  }

  /** A request's head arrived on its connection; for HTTP/1.x the next one must follow its response in time. */
  void headRead(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Watch watch = watches.get(connection);
    if (watch != null) {
      watch.waiting = false;
    }
    if (request.version() != HttpVersion.HTTP_2 && !request.headers().contains(HttpHeaders.UPGRADE)) {
      request.response().endHandler(v -> waitForHead(connection));
    }
  }

  private void waitForHead(HttpConnection connection) {
    Watch watch = watches.get(connection);
    if (watch == null) {
      if (!(connection instanceof ConnectionBase base)) {
        return;
      }
      watch = new Watch(base);
      watches.put(connection, watch);
    }
    watch.waitForHead();
  }
}
