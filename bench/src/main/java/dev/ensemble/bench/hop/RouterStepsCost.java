package dev.ensemble.bench.hop;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU per request of the server's event loop for a chat request routed the two ways the gateway can route it
 * (issue 14, "Router steps per chat request", RESULTS.md 2026-12-06): {@code routes}, one vertx-web route per step as
 * the node mounted them until then — the query check ({@code route()}), {@code /v1/*} twice (lifecycle, client key:
 * a {@code ctx.put}), {@code /v1beta/*}, {@code /api/v1/responses/*}, the count-tokens regex, then
 * {@code post("/v1/chat/completions")} with a body reader and the handler; {@code direct}, the router's first route
 * running the same steps in plain code ({@code DirectChatRoutes}); {@code plain}, no router at all for the chat route
 * (a plain request handler in front of it, no {@code RoutingContext}: what the router costs a chat request in all). The body reader and the handler (a fixed 200) are the
 * same code in both. Each layout has its own HTTP server on one shared server event loop; an HTTP client on its own
 * Vert.x keeps {@code inFlight} requests (~180-byte JSON body) in flight, and the server loop thread's CPU clock is
 * divided by the requests. Rounds alternate the layouts in one JVM.
 *
 * <p>Usage: {@code taskset -c 0 java -cp <benchmarks.jar or classes:gateway jar> dev.ensemble.bench.hop.RouterStepsCost
 * [requestsPerRound] [rounds] [inFlight]}.
 */
public final class RouterStepsCost {

  private static final Buffer ANSWER = Buffer.buffer("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}");
  private static final Buffer BODY = Buffer.buffer("{\"model\":\"bench-gpt\",\"messages\":[{\"role\":\"user\",\"content\":"
      + "\"Say hello to the benchmark, in one short sentence please.\"}],\"max_tokens\":64,\"user\":\"bench\"}");

  public static void main(String[] args) throws Exception {
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    Vertx server = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      HttpServer routes = server.createHttpServer().requestHandler(routesLayout(server)).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get();
      HttpServer direct = server.createHttpServer().requestHandler(directLayout(server)).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get();
      long loopThread = loopThreadId(server);
      Router fallback = Router.router(server);
      fallback.route().handler(ctx -> ctx.response().setStatusCode(404).end());
      HttpServer plain = server.createHttpServer().requestHandler(plainLayout(fallback)).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get();
      HttpClientAgent http = client.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(inFlight));
      io.vertx.core.Context clientContext = client.getOrCreateContext();
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      System.out.printf("requests per round %d, in flight %d; server loop CPU per request (ns):%n", perRound, inFlight);
      for (int round = -1; round < rounds; round++) { // round -1 warms both
        for (String layout : new String[] {"routes", "direct", "plain"}) {
          int port = switch (layout) {
            case "routes" -> routes.actualPort();
            case "direct" -> direct.actualPort();
            default -> plain.actualPort();
          };
          long cpu0 = mx.getThreadCpuTime(loopThread);
          long t0 = System.nanoTime();
          drive(http, clientContext, port, round < 0 ? perRound * 2 : perRound, inFlight);
          long cpu = mx.getThreadCpuTime(loopThread) - cpu0;
          if (round >= 0) {
            System.out.printf("round %d %-7s %8.0f ns/request  (%.1f s)%n", round + 1, layout, (double) cpu / perRound,
                (System.nanoTime() - t0) / 1e9);
          }
        }
      }
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static long loopThreadId(Vertx server) throws Exception {
    CompletableFuture<Long> id = new CompletableFuture<>();
    server.getOrCreateContext().runOnContext(v -> id.complete(Thread.currentThread().getId())); // the only event loop
    return id.get();
  }

  /** Sends {@code count} POSTs, {@code inFlight} at a time, each read whole. */
  private static void drive(HttpClientAgent http, io.vertx.core.Context clientContext, int port, int count, int inFlight) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong sent = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/chat/completions").putHeader("content-type", "application/json")
        .putHeader("authorization", "Bearer sk-bench-client-key-0123456789");
    @SuppressWarnings("unchecked")
    Handler<Void>[] next = new Handler[1];
    next[0] = v -> {
      if (sent.incrementAndGet() > count) {
        return;
      }
      http.request(options).compose(req -> req.send(BODY)).compose(HttpClientResponse::body).onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
          return;
        }
        if (answered.incrementAndGet() == count) {
          done.complete(null);
        } else {
          next[0].handle(null);
        }
      });
    };
    // started on the client's event loop, where every callback then runs: a response's body() asked for from another
    // thread can come after the response ended and never complete (LateBodyRace)
    clientContext.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        next[0].handle(null);
      }
    });
    done.get(10, TimeUnit.MINUTES);
  }

  /** One route per step, as the node mounted them. */
  private static Handler<HttpServerRequest> routesLayout(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      if (!refusedQuery(ctx)) {
        ctx.next();
      }
    });
    router.route("/v1/*").handler(ctx -> lifecycle(ctx, RoutingContext::next));
    router.route("/v1/*").handler(ctx -> auth(ctx, RoutingContext::next));
    router.route("/v1beta/*").handler(ctx -> auth(ctx, RoutingContext::next));
    router.route("/api/v1/responses/*").handler(ctx -> auth(ctx, RoutingContext::next));
    router.postWithRegex("/v1/messages/count_tokens/?").handler(ctx -> body(ctx, RouterStepsCost::answer));
    router.post("/v1/chat/completions").handler(ctx -> body(ctx, RoutingContext::next)).handler(RouterStepsCost::answer);
    router.route().last().handler(ctx -> ctx.response().setStatusCode(404).end());
    return router;
  }

  /** The router's first route runs the chat route's steps itself. */
  private static Handler<HttpServerRequest> directLayout(Vertx vertx) {
    Router router = Router.router(vertx);
    Handler<RoutingContext> chain = ctx -> {
      ctx.request().routed("/v1/");
      lifecycle(ctx, c -> {
        c.request().routed("/v1/");
        auth(c, a -> {
          a.request().routed("/v1/chat/completions");
          body(a, RouterStepsCost::answer);
        });
      });
    };
    router.route().handler(ctx -> {
      if (refusedQuery(ctx)) {
        return;
      }
      if (ctx.request().method() == HttpMethod.POST && "/v1/chat/completions".equals(ctx.normalizedPath())) {
        chain.handle(ctx);
      } else {
        ctx.next();
      }
    });
    router.route("/v1/*").handler(ctx -> lifecycle(ctx, RoutingContext::next));
    router.route("/v1/*").handler(ctx -> auth(ctx, RoutingContext::next));
    router.route("/v1beta/*").handler(ctx -> auth(ctx, RoutingContext::next));
    router.route("/api/v1/responses/*").handler(ctx -> auth(ctx, RoutingContext::next));
    router.postWithRegex("/v1/messages/count_tokens/?").handler(ctx -> body(ctx, RouterStepsCost::answer));
    router.post("/v1/chat/completions").handler(ctx -> body(ctx, RoutingContext::next)).handler(RouterStepsCost::answer);
    router.route().last().handler(ctx -> ctx.response().setStatusCode(404).end());
    return router;
  }

  /**
   * No router for the chat route: a plain request handler runs the same steps on the {@code HttpServerRequest} (no
   * {@code RoutingContext}); everything else goes to {@code router}. The bound of what the router costs a chat request.
   */
  private static Handler<HttpServerRequest> plainLayout(Router router) {
    return request -> {
      String query = request.query();
      if (request.method() != HttpMethod.POST || !"/v1/chat/completions".equals(request.path()) || (query != null && query.contains("%zz"))) {
        router.handle(request);
        return;
      }
      if (refusing) {
        request.response().setStatusCode(503).end();
        return;
      }
      String key = request.getHeader("authorization");
      if (key == null) {
        request.response().setStatusCode(401).end();
        return;
      }
      Buffer[] first = new Buffer[1];
      request.handler(chunk -> first[0] = first[0] == null ? chunk : Buffer.buffer().appendBuffer(first[0]).appendBuffer(chunk));
      request.endHandler(v -> {
        if (first[0] == null || first[0].length() == 0) {
          request.response().setStatusCode(500).end();
          return;
        }
        request.response().putHeader("content-type", "application/json").end(ANSWER);
      });
    };
  }

  private static boolean refusedQuery(RoutingContext ctx) {
    String query = ctx.request().query();
    return query != null && query.contains("%zz");
  }

  private static volatile boolean refusing;

  private static void lifecycle(RoutingContext ctx, Handler<RoutingContext> then) {
    if (refusing) {
      ctx.response().setStatusCode(503).end();
    } else {
      then.handle(ctx);
    }
  }

  private static void auth(RoutingContext ctx, Handler<RoutingContext> then) {
    String key = ctx.request().getHeader("authorization");
    if (key == null) {
      ctx.response().setStatusCode(401).end();
      return;
    }
    ctx.put("ensemble.caller", key);
    then.handle(ctx);
  }

  /** The body read whole, as the gateway's {@code JsonBodyReader} does (one chunk kept as is). */
  private static void body(RoutingContext ctx, Handler<RoutingContext> then) {
    HttpServerRequest request = ctx.request();
    Buffer[] first = new Buffer[1];
    request.handler(chunk -> first[0] = first[0] == null ? chunk : Buffer.buffer().appendBuffer(first[0]).appendBuffer(chunk));
    request.endHandler(v -> {
      ((RoutingContextInternal) ctx).setBody(first[0] == null ? Buffer.buffer() : first[0]);
      then.handle(ctx);
    });
    request.resume();
  }

  private static void answer(RoutingContext ctx) {
    if (ctx.get("ensemble.caller") == null || ctx.body().length() == 0) {
      ctx.response().setStatusCode(500).end();
      return;
    }
    ctx.response().putHeader("content-type", "application/json").end(ANSWER);
  }
}
