package dev.ensemble.bench.hop;

import dev.ensemble.config.UpstreamHttp;
import dev.ensemble.metrics.InstrumentedVertx;
import dev.ensemble.providers.HttpUpstreamTransport;
import dev.ensemble.providers.UpstreamResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.SocketAddress;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * CPU per proxied request of the gateway's upstream HTTP client, alone: the client's event loop sends an OpenAI
 * chat request (4 headers, ~150-byte body) to the in-process {@link StubUpstream} (its own Vert.x, one event loop) and
 * reads the whole answer, {@code inFlight} requests at a time, and the client loop thread's CPU clock is divided by the
 * requests; with {@code metrics}, the client's Vert.x has the node's meters ({@code InstrumentedVertx}). Ways of sending, alternated round by round in one JVM:
 *
 * <ul>
 *   <li>{@code pool}: {@code HttpClientAgent.request(RequestOptions)} on a per-loop client, a copy of a parsed target
 *       with method and headers set, as {@code HttpUpstreamTransport} did until 2026-12-05;</li>
 *   <li>{@code pool-reused-options}: the same with one {@code RequestOptions} reused (no copy);</li>
 *   <li>{@code pool-vertx-headers}: the pool with headers in {@code HttpHeaders.headers()};</li>
 *   <li>{@code connection}: connections opened once with {@code HttpClientAgent.connect(HttpConnectOptions)}, each
 *       request sent with {@code HttpClientConnection.request(RequestOptions)} on a free one;</li>
 *   <li>{@code transport}: the gateway's {@code HttpUpstreamTransport.send} of the jar on the class path (with its
 *       first-byte timer), so two jars can be compared by running this class against each.</li>
 * </ul>
 *
 * <p>Run it pinned to one core so the stub and the client compete as in the side-by-side run:
 * {@code taskset -c 0 java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.UpstreamClientCost [h1|h2c] [inFlight] [requests per round] [rounds] [all|variant,...] [metrics]}.
 * State: each driver's counters, owned by the client's one event loop.
 */
public final class UpstreamClientCost {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi in one word.\"}],"
      + "\"max_tokens\":16,\"temperature\":0.2}";

  private UpstreamClientCost() {
  }

  public static void main(String[] args) throws Exception {
    boolean h2 = args.length > 0 && args[0].equals("h2c");
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    List<String> only = args.length > 4 && !args[4].equals("all") ? Arrays.asList(args[4].split(",")) : null;
    boolean metered = args.length > 5 && args[5].equals("metrics");

    Vertx upstreamVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    StubUpstream stub = new StubUpstream();
    int port = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true)
            .setAcceptBacklog(8192)).requestHandler(stub::handle).listen().toCompletionStage().toCompletableFuture().join().actualPort();
    VertxOptions clientOptions = new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1);
    Vertx vertx = metered
        ? InstrumentedVertx.builder(clientOptions, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build()
        : Vertx.vertx(clientOptions);
    // the work runs on a deployed verticle's context, as the gateway's ingress does (timers add close hooks there)
    Context[] deployed = new Context[1];
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        deployed[0] = context;
      }
    }).toCompletionStage().toCompletableFuture().join();
    Context loop = deployed[0];
    Thread loopThread = onLoop(loop, () -> Future.succeededFuture(Thread.currentThread()));
    if (args.length > 0 && args[0].equals("timers")) {
      timers(vertx, loop, perRound, rounds);
      vertx.close().toCompletionStage().toCompletableFuture().join();
      upstreamVertx.close().toCompletionStage().toCompletableFuture().join();
      return;
    }
    String url = "http://127.0.0.1:" + port + "/v1/chat/completions";
    Buffer body = Buffer.buffer(BODY);

    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(h2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1)
        .setHttp2ClearTextUpgrade(false).setUseAlpn(true).setKeepAlive(true).setDecompressionSupported(true)
        .setConnectTimeout(10_000).setTcpNoDelay(true);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(64).setHttp2MaxSize(2);
    HttpClientAgent pooled = onLoop(loop, () -> Future.succeededFuture(vertx.createHttpClient(options, pool)));
    RequestOptions parsed = new RequestOptions().setAbsoluteURI(url);
    parsed.setServer(SocketAddress.inetSocketAddress(parsed.getPort(), parsed.getHost()));
    RequestOptions reused = new RequestOptions(parsed).setMethod(HttpMethod.POST);

    HttpClientAgent direct = onLoop(loop, () -> Future.succeededFuture(vertx.createHttpClient(options, pool)));
    int connectionCount = h2 ? 1 : inFlight;
    List<HttpClientConnection> connections = onLoop(loop, () -> {
      List<Future<HttpClientConnection>> opening = new ArrayList<>();
      for (int i = 0; i < connectionCount; i++) {
        opening.add(direct.connect(new HttpConnectOptions().setServer(parsed.getServer()).setHost("127.0.0.1").setPort(port)));
      }
      return Future.all(opening).map(all -> all.<HttpClientConnection>list());
    });
    RequestOptions connectionRequest = new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
        .setHost("127.0.0.1").setPort(port);
    HttpUpstreamTransport transport = new HttpUpstreamTransport(vertx,
        new UpstreamHttp(h2 ? UpstreamHttp.Version.H2C : UpstreamHttp.Version.AUTO, 256, 8));

    Map<String, Function<Integer, Future<Void>>> variants = new LinkedHashMap<>();
    variants.put("pool", n -> exchange(pooled.request(new RequestOptions(parsed).setMethod(HttpMethod.POST).setHeaders(headers())), body));
    variants.put("pool-reused-options", n -> exchange(pooled.request(reused.setHeaders(headers())), body));
    variants.put("pool-vertx-headers", n -> exchange(pooled.request(new RequestOptions(parsed).setMethod(HttpMethod.POST)
        .setHeaders(vertxHeaders())), body));
    variants.put("connection", n -> exchange(connections.get(n % connections.size())
        .request(new RequestOptions(connectionRequest).setHeaders(headers())), body));
    variants.put("pool-paused", n -> pooled.request(new RequestOptions(parsed).setMethod(HttpMethod.POST).setHeaders(headers()))
        .compose(r -> r.send(body)).compose(response -> response.pause().resume().body()).mapEmpty());
    variants.put("pool-timer", n -> {
      long timer = vertx.setTimer(30_000, t -> { });
      return pooled.request(new RequestOptions(parsed).setMethod(HttpMethod.POST).setHeaders(headers()))
          .compose(r -> r.send(body)).onComplete(ar -> vertx.cancelTimer(timer)).compose(HttpClientResponse::body).mapEmpty();
    });
    variants.put("pool-loop-timer", n -> {
      ScheduledFuture<?> timer = ((ContextInternal) loop).nettyEventLoop().schedule(() -> { }, 30_000, TimeUnit.MILLISECONDS);
      return pooled.request(new RequestOptions(parsed).setMethod(HttpMethod.POST).setHeaders(headers()))
          .compose(r -> r.send(body)).onComplete(ar -> timer.cancel(false)).compose(HttpClientResponse::body).mapEmpty();
    });
    variants.put("transport", n -> transport.send(HttpMethod.POST, url, headers(), body, 30_000)
        .compose(UpstreamResponse::fullBody).mapEmpty());
    if (only != null) {
      variants.keySet().retainAll(only);
    }

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf("%s%s, %d in flight, %d requests per round, client loop CPU µs per request (%d connections for 'connection')%n",
        h2 ? "h2c" : "HTTP/1.1", metered ? " (node's metrics on)" : "", inFlight, perRound, connectionCount);
    Map<String, List<Double>> figures = new LinkedHashMap<>();
    for (int round = -1; round < rounds; round++) {
      for (Map.Entry<String, Function<Integer, Future<Void>>> variant : variants.entrySet()) {
        int n = round < 0 ? perRound / 2 : perRound;
        long cpu = threads.getThreadCpuTime(loopThread.getId());
        long wall = System.nanoTime();
        onLoop(loop, () -> drive(variant.getValue(), inFlight, n));
        double perRequest = (threads.getThreadCpuTime(loopThread.getId()) - cpu) / 1e3 / n;
        double rps = n / ((System.nanoTime() - wall) / 1e9);
        if (round >= 0) {
          figures.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(perRequest);
          System.out.printf("round %d %-22s %7.2f µs/request %9.0f req/s%n", round, variant.getKey(), perRequest, rps);
        }
      }
    }
    System.out.println("median over rounds:");
    figures.forEach((name, values) -> {
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf("%-22s %7.2f µs/request (min %.2f, max %.2f)%n", name, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    });
    transport.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    upstreamVertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /**
   * CPU of a first-byte timer alone (set, then cancelled when the answer comes), 32 outstanding at a time as with 32
   * requests in flight, on a deployed verticle's context: Vert.x's {@code setTimer}/{@code cancelTimer} against the
   * context's Netty event-loop scheduler.
   */
  private static void timers(Vertx vertx, Context loop, int perRound, int rounds) {
    ContextInternal context = (ContextInternal) loop;
    Map<String, Runnable> variants = new LinkedHashMap<>();
    long[] ids = new long[32];
    variants.put("vertx-setTimer", () -> {
      for (int i = 0; i < perRound; i++) {
        int slot = i & 31;
        if (ids[slot] != 0) {
          vertx.cancelTimer(ids[slot]);
        }
        ids[slot] = vertx.setTimer(30_000, t -> { });
      }
      for (int slot = 0; slot < 32; slot++) {
        vertx.cancelTimer(ids[slot]);
        ids[slot] = 0;
      }
    });
    @SuppressWarnings("unchecked")
    ScheduledFuture<?>[] futures = new ScheduledFuture[32];
    variants.put("event-loop-schedule", () -> {
      for (int i = 0; i < perRound; i++) {
        int slot = i & 31;
        if (futures[slot] != null) {
          futures[slot].cancel(false);
        }
        futures[slot] = context.nettyEventLoop().schedule(() -> context.emit(null, v -> { }), 30_000, TimeUnit.MILLISECONDS);
      }
      for (int slot = 0; slot < 32; slot++) {
        futures[slot].cancel(false);
        futures[slot] = null;
      }
    });
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int round = -1; round < rounds; round++) {
      for (Map.Entry<String, Runnable> variant : variants.entrySet()) {
        double perPair = onLoop(loop, () -> {
          long cpu = threads.getCurrentThreadCpuTime();
          variant.getValue().run();
          return Future.succeededFuture((threads.getCurrentThreadCpuTime() - cpu) / 1e3 / perRound);
        });
        if (round >= 0) {
          System.out.printf("round %d %-22s %7.3f µs per timer set and cancelled%n", round, variant.getKey(), perPair);
        }
      }
    }
  }

  /** The adapter's headers and the pool's authorization, built per request as the gateway builds them. */
  private static MultiMap headers() {
    return MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json")
        .add("user-agent", "ensemble/0.1").add("authorization", "Bearer sk-bench-0123456789abcdef0123456789abcdef");
  }

  private static MultiMap vertxHeaders() {
    return HttpHeaders.headers().add(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .add(HttpHeaders.ACCEPT, APPLICATION_JSON).add(HttpHeaders.USER_AGENT, "ensemble/0.1")
        .add(HttpHeaders.AUTHORIZATION, "Bearer sk-bench-0123456789abcdef0123456789abcdef");
  }

  private static Future<Void> exchange(Future<HttpClientRequest> request, Buffer body) {
    return request.compose(r -> r.send(body)).compose(HttpClientResponse::body).mapEmpty();
  }

  /** {@code total} requests, {@code inFlight} at a time; completes when all are answered, fails on the first failure. */
  private static Future<Void> drive(Function<Integer, Future<Void>> send, int inFlight, int total) {
    Promise<Void> done = Promise.promise();
    int[] started = {0};
    int[] finished = {0};
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (started[0] == total) {
        return;
      }
      int n = started[0]++;
      send.apply(n).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        if (++finished[0] == total) {
          done.tryComplete();
        } else {
          next[0].run();
        }
      });
    };
    for (int i = 0; i < inFlight; i++) {
      next[0].run();
    }
    return done.future();
  }

  private static <T> T onLoop(Context loop, java.util.function.Supplier<Future<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> work.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.join();
  }
}
