package dev.ensemble.bench.hop;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;

import java.util.Set;

/**
 * The floor of the gateway's stack for the side-by-side benchmark: a plain reverse-proxy hop written with the same
 * Vert.x HTTP server and client the gateway uses, and nothing else (no parsing, routing, keys, ledger, store,
 * metrics). What it costs over nginx is the stack's; what the gateway costs over it is the gateway's own work.
 *
 * <p>One verticle instance per event loop, each with its own server (sharing the port) and its own client pool, so a
 * request is read, forwarded and answered on one thread — as the gateway does. Upstream ports are taken in turn, like
 * nginx's round robin over the same stub ports; the request body is read whole (as the gateway does), the answer is
 * forwarded as it arrives (SSE streams pass through).
 *
 * <p>Usage: {@code VertxHop <listen port> <upstream port> [<upstream port> ...]}; runs until killed. Mutable state: each
 * verticle's round-robin counter, owned by its event loop.
 */
public final class VertxHop extends AbstractVerticle {

  private static final Set<CharSequence> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "te", "trailer", "proxy-connection", "host", "content-length");

  private final int port;
  private final int[] upstreams;
  private HttpClient client;
  private int next;

  private VertxHop(int port, int[] upstreams) {
    this.port = port;
    this.upstreams = upstreams;
  }

  public static void main(String[] args) {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: VertxHop <listen port> <upstream port> [<upstream port> ...]");
    }
    int port = Integer.parseInt(args[0]);
    int[] upstreams = new int[args.length - 1];
    for (int i = 1; i < args.length; i++) {
      upstreams[i - 1] = Integer.parseInt(args[i]);
    }
    Vertx vertx = Vertx.vertx();
    int loops = 2 * Runtime.getRuntime().availableProcessors();
    vertx.deployVerticle(() -> new VertxHop(port, upstreams), new DeploymentOptions().setInstances(loops)).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("vertx hop failed to start: " + ar.cause());
        System.exit(1);
      }
      System.out.println("vertx hop listening on 127.0.0.1:" + port + " with " + loops + " event loops");
    });
  }

  @Override
  public void start(Promise<Void> started) {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
        new PoolOptions().setHttp1MaxSize(256));
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true).setAcceptBacklog(8192))
        .requestHandler(this::forward)
        .listen()
        .<Void>mapEmpty()
        .onComplete(started);
  }

  private void forward(HttpServerRequest in) {
    int upstream = upstreams[next++ % upstreams.length];
    in.body().compose(body -> client.request(in.method(), upstream, "127.0.0.1", in.uri()).compose(out -> {
      copy(in.headers(), out.headers());
      return out.send(body);
    })).onComplete(ar -> {
      if (ar.failed()) {
        in.response().setStatusCode(502).end();
        return;
      }
      var answer = ar.result();
      HttpServerResponse back = in.response().setStatusCode(answer.statusCode());
      copy(answer.headers(), back.headers());
      String length = answer.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null) {
        back.putHeader(HttpHeaders.CONTENT_LENGTH, length);
      } else {
        back.setChunked(true);
      }
      answer.pipeTo(back);
    });
  }

  private static void copy(MultiMap from, MultiMap to) {
    from.forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase())) {
        to.add(name, value);
      }
    });
  }
}
