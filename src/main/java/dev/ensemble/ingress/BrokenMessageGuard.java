package dev.ensemble.ingress;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.function.Function;

/**
 * Answers, in JSON, the HTTP/1.x messages Vert.x would otherwise answer with an empty body or not at all: a
 * request line naming another HTTP version than 1.0/1.1 ({@code HTTP/2.0} over a plain HTTP/1 connection:
 * 505) and a body whose chunked encoding is broken (a chunk size that is not hex, a body cut short: 400, and
 * no stack trace in the log). After a WebSocket upgrade it answers a frame, or a message in fragments, over
 * {@code webSocketLimit} bytes with close 1009, and a protocol violation with 1002, each with a reason (Vert.x
 * would drop the connection without a close frame, or drop the message in silence). It also keeps Vert.x's
 * read-idle timeout ({@code server.header_read_timeout_ms}) to the wait for a request head. It sits in the
 * connection's Netty pipeline just before Vert.x's handler; after answering it drops the rest of what the
 * client sends and closes the connection. One instance per connection, confined to its event loop. It reaches
 * the pipeline through Vert.x's {@code ConnectionBase}, an implementation class: Vert.x offers no public hook
 * for any of this.
 */
final class BrokenMessageGuard extends ChannelDuplexHandler {

  private final Function<String, ClientDialect> dialectOfPath;
  private final long webSocketLimit;
  private String path = "";
  private boolean answered;
  /** Bytes of the WebSocket message being received in fragments so far. */
  private long messageBytes;
  /** A request head was read and its response has not ended, or the connection became a WebSocket. */
  private boolean busy;

  private BrokenMessageGuard(Function<String, ClientDialect> dialectOfPath, long webSocketLimit) {
    this.dialectOfPath = dialectOfPath;
    this.webSocketLimit = webSocketLimit;
  }

  /**
   * Puts a guard on {@code connection}: the whole guard on an HTTP/1.x connection (Vert.x's own HTTP decoder in
   * its pipeline); on an HTTP/2 connection only the part that keeps the read-idle timeout off once it is
   * established (its streams have their own timeouts; a client waiting for a long answer sends nothing), as a
   * handler of that event alone ({@link Http2ReadIdle}): Netty then passes the connection's reads, frame writes and
   * flushes by it instead of through it.
   */
  static void install(HttpConnection connection, Function<String, ClientDialect> dialectOfPath, long webSocketLimit) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(HttpRequestDecoder.class) == null && pipeline.get(HttpServerCodec.class) == null) {
      pipeline.addBefore(pipeline.lastContext().name(), "ensemble-broken-message-guard", new Http2ReadIdle());
      return;
    }
    pipeline.addBefore(pipeline.lastContext().name(), "ensemble-broken-message-guard", new BrokenMessageGuard(dialectOfPath, webSocketLimit));
  }

  /**
   * An HTTP/2 connection's part of the guard: Vert.x's read-idle timeout ({@code server.header_read_timeout_ms}) never
   * closes an established HTTP/2 connection (a client awaiting a long answer on a stream sends nothing; a connection
   * without streams is {@link Http2IdleGuard}'s). It handles that event only, so it is on no other path of the pipeline.
   * One per HTTP/2 connection, stateless.
   */
  static final class Http2ReadIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        return;
      }
      super.userEventTriggered(ctx, event);
    }
  }

  /**
   * Vert.x's read-idle timeout ({@code server.header_read_timeout_ms}) closes a connection only while a request
   * head is awaited: while one is being answered the client has nothing to send, and a WebSocket has its pings.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent && busy) {
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse response && response.status().code() == 101)) {
      busy = false;
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException frame) {
      WebSocketCloseStatus status = frame.closeStatus() == null ? WebSocketCloseStatus.PROTOCOL_ERROR : frame.closeStatus();
      closeWebSocket(ctx, status, status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
          ? "message larger than " + webSocketLimit + " bytes"
          : "protocol error: " + frame.getMessage());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void closeWebSocket(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
    if (!answered) {
      answered = true;
      ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason.length() > 120 ? reason.substring(0, 120) : reason))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Counts a fragmented message's bytes; true (and the socket closed with 1009) once they pass the limit. */
  private boolean tooLarge(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      messageBytes = 0;
    } else if (!(frame instanceof ContinuationWebSocketFrame)) {
      return false;
    }
    messageBytes += frame.content().readableBytes();
    if (messageBytes > webSocketLimit) {
      ReferenceCountUtil.release(frame);
      closeWebSocket(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message larger than " + webSocketLimit + " bytes");
      return true;
    }
    return false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof WebSocketFrame frame && tooLarge(ctx, frame)) {
      return;
    }
    if (msg instanceof HttpRequest request) {
      path = request.uri();
      busy = true;
      if (request.decoderResult().isSuccess() && request.protocolVersion().majorVersion() != 1) {
        answer(ctx, msg, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/" + request.protocolVersion().majorVersion() + "."
            + request.protocolVersion().minorVersion() + " is not spoken on an HTTP/1 connection; send HTTP/1.1 (or HTTP/2 with prior knowledge or h2c upgrade)");
        return;
      }
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      answer(ctx, msg, HttpResponseStatus.BAD_REQUEST, "The request body could not be read: its chunked encoding is broken");
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void answer(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String message) {
    answered = true;
    ReferenceCountUtil.release(msg);
    int q = path.indexOf('?');
    ClientDialect dialect = dialectOfPath.apply(q < 0 ? path : path.substring(0, q));
    ByteBuf body = Unpooled.wrappedBuffer(dialect.encodeError(new GatewayError(ErrorType.INVALID_REQUEST, status.code(), message, false, null, null))
        .toBuffer().getBytes());
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
