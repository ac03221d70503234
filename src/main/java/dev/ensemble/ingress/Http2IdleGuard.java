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
 * {@link SlowClientGuard}. One per HTTP/2 connection; its timer is armed and cancelled only on the connection's
 * Netty event loop (stream events arrive there), through Netty's {@link Http2Connection.Listener}.
 */
final class Http2IdleGuard extends Http2ConnectionAdapter {

  private final HttpConnection connection;
  private final Http2Connection streams;
  private final ChannelHandlerContext channel;
  private final long idleTimeoutMs;
  private ScheduledFuture<?> timer;

  private Http2IdleGuard(HttpConnection connection, Http2Connection streams, ChannelHandlerContext channel, long idleTimeoutMs) {
    this.connection = connection;
    this.streams = streams;
    this.channel = channel;
    this.idleTimeoutMs = idleTimeoutMs;
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
      channel.channel().closeFuture().addListener(closed -> guard.cancel());
      if (handler.connection().numActiveStreams() == 0) {
        guard.arm();
      }
    });
  }

  @Override
  public void onStreamActive(Http2Stream stream) {
    cancel();
  }

  @Override
  public void onStreamClosed(Http2Stream stream) {
    if (streams.numActiveStreams() == 0 && channel.channel().isActive()) {
      arm();
    }
  }

  private void arm() {
    cancel();
    timer = channel.executor().schedule(() -> {
      timer = null;
      if (streams.numActiveStreams() == 0) {
        connection.close();
      }
    }, idleTimeoutMs, TimeUnit.MILLISECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
