package dev.ensemble.ingress;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection the way a client can hear it: when the node closes a connection (a WebSocket message over
 * the limit answered with close 1009, a 413, 431 or 400 before the request's bytes ended), whatever the client
 * is still sending is read and dropped for up to {@value #LINGER_MS} ms before the socket closes. Closing at
 * once, with unread bytes, makes the kernel reset the connection, and a reset destroys the answer the client
 * had not read yet (it sees code 1006 or a broken pipe instead of the error). The first handler of each
 * connection's Netty pipeline (reached through Vert.x's {@code ConnectionBase}: Vert.x has no public hook);
 * confined to that connection's event loop.
 */
final class LingeringClose extends ChannelDuplexHandler {

  static final long LINGER_MS = 1_000;

  private boolean closing;

  static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      base.channelHandlerContext().pipeline().addFirst("ensemble-lingering-close", new LingeringClose());
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (closing || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    closing = true;
    ctx.flush();
    ctx.channel().config().setAutoRead(true);
    ctx.executor().schedule(() -> ctx.close(promise), LINGER_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
