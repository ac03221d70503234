package dev.ensemble.bench.hop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU per h2c exchange that the ingress guard in an HTTP/2 connection's pipeline adds: one read of the request's bytes,
 * two frame writes (HEADERS, DATA) and a flush passing a handler, on one Netty pipeline. Variants: {@code duplex} (as
 * {@code BrokenMessageGuard} sat on HTTP/2 connections before: a duplex handler whose read and write each test the
 * message's type, as on HTTP/1.x), {@code idle-only} ({@code BrokenMessageGuard.Http2ReadIdle}: an inbound handler of
 * the idle event alone, which Netty's handler masks leave off every other path), {@code none} (no handler).
 * The handlers are copies of the ingress ones' HTTP/2 paths (those are package-private). Rounds alternate the variants
 * in one JVM; the figure is ns of the thread's CPU per exchange, the pipeline's own work included.
 *
 * <p>Usage: {@code taskset -c 0 java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.GuardHopCost [n] [rounds]}.
 */
public final class GuardHopCost {

  /** The HTTP/1.x guard's read and write tests, as they ran on every HTTP/2 read and frame. */
  static final class Duplex extends ChannelDuplexHandler {
    boolean busy = true;

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
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame) {
        return;
      }
      if (msg instanceof HttpRequest request) {
        busy = request.uri().isEmpty();
      } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The idle event's handler alone. */
  static final class IdleOnly extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        return;
      }
      super.userEventTriggered(ctx, event);
    }
  }

  /** Stands for the HTTP/2 codec after the guard: consumes reads, drops writes as the socket would take them. */
  static final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ((ByteBuf) msg).release();
    }
  }

  static final class Socket extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ((ByteBuf) msg).release();
      promise.trySuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
    }
  }

  private GuardHopCost() {
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    String[] variants = {"duplex", "idle-only", "none"};
    byte[] request = new byte[200];
    for (int round = 1; round <= rounds; round++) {
      StringBuilder line = new StringBuilder("round " + round + ":");
      for (String variant : variants) {
        ChannelHandler guard = switch (variant) {
          case "duplex" -> new Duplex();
          case "idle-only" -> new IdleOnly();
          default -> null;
        };
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new Socket());
        if (guard != null) {
          channel.pipeline().addLast(guard);
        }
        channel.pipeline().addLast(new Sink());
        ChannelHandlerContext last = channel.pipeline().lastContext();
        long start = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(request));
          last.write(Unpooled.wrappedBuffer(request, 0, 60), last.voidPromise());
          last.write(Unpooled.wrappedBuffer(request, 0, 180), last.voidPromise());
          last.flush();
        }
        long ns = cpu.getCurrentThreadCpuTime() - start;
        channel.finishAndReleaseAll();
        line.append(String.format(" %s %.1f ns", variant, (double) ns / n));
      }
      System.out.println(line);
    }
  }
}
