package dev.ensemble.ingress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Stream;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/2 (h2c) client connection that has had no open stream for {@code server.idle_timeout_ms}: from
 * its start, and after its last stream ended, until a new stream opens. A connection carrying a stream, however
 * quiet (a long SSE answer between events), is never closed by it. The HTTP/1.x counterpart is
 * {@link SlowClientGuard}. One per HTTP/2 connection; its state is touched only on the connection's Netty event
 * loop (stream events arrive there), through Netty's {@link Http2Connection.Listener}.
 *
 * <p>No timer per stream: a stream's end only notes when the connection became idle, and the connection has at most
 * one check scheduled, which closes it if it is still idle at the deadline, or else schedules itself for the rest of
 * the wait (or not at all while streams are open; the next idle period schedules it again). A client sending one
 * request after another on a connection costs one scheduled check per idle period, not a schedule and a cancel per
 * stream.
 */
final class Http2IdleGuard extends Http2ConnectionAdapter {

  private final HttpConnection connection;
  private final Http2Connection streams;
  private final ChannelHandlerContext channel;
  private final long idleTimeoutNanos;
  /** Whether the connection has no open stream, and since when. */
  private boolean idle;
  private long idleSinceNanos;
  private ScheduledFuture<?> check;

  private Http2IdleGuard(HttpConnection connection, Http2Connection streams, ChannelHandlerContext channel, long idleTimeoutMs) {
    this.connection = connection;
    this.streams = streams;
    this.channel = channel;
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
  }

  /** Watches {@code connection} when it speaks HTTP/2; an HTTP/1.x connection is left alone. */
  static void install(HttpConnection connection, long idleTimeoutMs) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelHandlerContext channel = base.channelHandlerContext();
    Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
    if (handler == null) {
      return;
    }
    Http2IdleGuard guard = new Http2IdleGuard(connection, handler.connection(), channel, idleTimeoutMs);
    channel.executor().execute(() -> {
      handler.connection().addListener(guard);
      channel.channel().closeFuture().addListener(closed -> guard.stop());
      if (handler.connection().numActiveStreams() == 0) {
        guard.becameIdle();
      }
    });
  }

  @Override
  public void onStreamActive(Http2Stream stream) {
    idle = false;
  }

  @Override
  public void onStreamClosed(Http2Stream stream) {
    if (streams.numActiveStreams() == 0 && channel.channel().isActive()) {
      becameIdle();
    }
  }

  private void becameIdle() {
    idle = true;
    idleSinceNanos = System.nanoTime();
    if (check == null) {
      schedule(idleTimeoutNanos);
    }
  }

  private void schedule(long delayNanos) {
    check = channel.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    check = null;
    if (!idle || streams.numActiveStreams() > 0) {
      return;
    }
    long left = idleSinceNanos + idleTimeoutNanos - System.nanoTime();
    if (left > 0) {
      schedule(left);
    } else {
      connection.close();
    }
  }

  private void stop() {
    idle = false;
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }
}
