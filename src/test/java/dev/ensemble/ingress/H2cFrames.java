package dev.ensemble.ingress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A bare h2c client (prior knowledge, Netty's frame codec) that shows a response as the frames it came in, which an
 * HTTP client API hides: one POST, the DATA frames of its response in order (the caller releases them).
 */
final class H2cFrames {

  private H2cFrames() {
  }

  static List<Http2DataFrame> post(int port, String path, byte[] body) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      List<Http2DataFrame> frames = new ArrayList<>();
      CompletableFuture<List<Http2DataFrame>> ended = new CompletableFuture<>();
      Http2ChannelDuplexHandler handler = new Http2ChannelDuplexHandler() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof Http2DataFrame data) {
            frames.add(data);
            if (data.isEndStream()) {
              ended.complete(frames);
            }
          } else {
            if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
              ended.complete(frames);
            }
            ReferenceCountUtil.release(msg);
          }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          ended.completeExceptionally(cause);
        }
      };
      Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), handler);
        }
      }).connect("127.0.0.1", port).sync().channel();
      Http2FrameStream stream = handler.newStream();
      channel.eventLoop().execute(() -> {
        channel.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").scheme("http")
            .authority("127.0.0.1:" + port).path(path).add("content-type", "application/json")).stream(stream));
        channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(stream));
      });
      List<Http2DataFrame> result = ended.get(20, TimeUnit.SECONDS);
      channel.close().sync();
      return result;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
