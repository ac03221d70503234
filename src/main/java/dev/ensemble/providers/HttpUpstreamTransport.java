package dev.ensemble.providers;

import dev.ensemble.config.UpstreamHttp;
import dev.ensemble.loop.LoopDeadlines;
import dev.ensemble.loop.Timeout;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Calls a provider over HTTP with pooled Vert.x HTTP clients (keep-alive, gzip). On {@code https} URLs HTTP/2 is
 * offered by ALPN and HTTP/1.1 is spoken when the host does not take it; {@code http} URLs speak HTTP/1.1, or
 * HTTP/2 with prior knowledge when the provider's {@code http.version} is {@code h2c}; {@code http1} keeps every
 * call on HTTP/1.1.
 *
 * <p>One set of clients, and so one connection pool, per event loop that sends through it. A Vert.x client's pooled
 * connection lives on the event loop that opened it and hands its callbacks to the caller's loop; with one pool per
 * loop a request made on ingress loop E is written and answered on connections of E only, so the upstream exchange
 * and the client's answer stay on one thread (no wake-up of another loop per request, which on a busy machine cost
 * the unloaded latency most of a millisecond). The provider's {@code http1_connections_per_host} and
 * {@code http2_connections_per_host} are split over Vert.x's default number of event loops (each loop's pool holds
 * its share, at least 8 HTTP/1.1 and 2 HTTP/2 connections); an HTTP/2 pool opens a new connection only when the open
 * ones carry as many streams as the host allows, so thousands of streams to one host do not queue behind one
 * connection. Calls from outside an event loop (tests, start-up) use clients of their own with the whole allowance.
 * A call's first-byte timeout runs from {@code send}: it bounds the wait for a free connection of the pool (or a new
 * one's connect) as well as the wait for the answer's headers, and a call that timed out while waiting writes nothing
 * when its connection comes (the connection goes back to the pool). On an event loop that timeout is one of the loop's
 * {@link LoopDeadlines} (no timer per call).
 *
 * <p>The clients belong to the provider's pool verticle and are closed with it. The map of clients is the only
 * mutable state: written once per event loop by that loop ({@code computeIfAbsent}), read by it afterwards; each
 * call's {@code Exchange} belongs to that call (its caller's event loop).
 */
public final class HttpUpstreamTransport implements UpstreamTransport {

  /** Parsed request targets kept per absolute URL; endpoints' URLs are few, a bound keeps invented ones out. */
  private static final int MAX_CACHED_TARGETS = 1024;

  private final Vertx vertx;
  private final HttpClientOptions secureOptions;
  private final HttpClientOptions plainOptions;
  /** {@code plainOptions} would configure a client exactly as {@code secureOptions} does: one client serves both. */
  private final boolean oneClient;
  private final PoolOptions loopPool;
  private final PoolOptions wholePool;
  private final Map<Thread, Clients> perLoop = new ConcurrentHashMap<>();
  private final Map<String, RequestOptions> targets = new ConcurrentHashMap<>();
  private volatile Clients offLoop;
  private volatile boolean closed;

  public HttpUpstreamTransport(Vertx vertx, UpstreamHttp http) {
    this(vertx, http, null);
  }

  /** With {@code trust} in place of the JVM's default trust (e.g. a test upstream's self-signed certificate); null for the default. */
  public HttpUpstreamTransport(Vertx vertx, UpstreamHttp http, TrustOptions trust) {
    this.vertx = vertx;
    HttpVersion overTls = http.version() == UpstreamHttp.Version.HTTP1 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_2;
    HttpVersion cleartext = http.version() == UpstreamHttp.Version.H2C ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1;
    this.secureOptions = options(overTls);
    if (trust != null) {
      secureOptions.setTrustOptions(trust);
    }
    this.plainOptions = options(cleartext);
    this.oneClient = overTls == cleartext && trust == null;
    int loops = Math.max(1, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
    this.loopPool = new PoolOptions()
        .setHttp1MaxSize(Math.max(8, ceilDiv(http.http1ConnectionsPerHost(), loops)))
        .setHttp2MaxSize(Math.max(2, ceilDiv(http.http2ConnectionsPerHost(), loops)));
    this.wholePool = new PoolOptions()
        .setHttp1MaxSize(http.http1ConnectionsPerHost())
        .setHttp2MaxSize(http.http2ConnectionsPerHost());
  }

  /** Prior knowledge on cleartext HTTP/2 (no {@code Upgrade: h2c} round trip); on TLS, ALPN offers {@code version} then HTTP/1.1. */
  private static HttpClientOptions options(HttpVersion version) {
    return new HttpClientOptions()
        .setProtocolVersion(version)
        .setHttp2ClearTextUpgrade(false)
        .setUseAlpn(true)
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setConnectTimeout(10_000)
        .setTcpNoDelay(true);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** The calling event loop's clients, or the off-loop ones. */
  private Clients clients() {
    if (closed) {
      throw new IllegalStateException("the transport is closed");
    }
    if (Context.isOnEventLoopThread()) {
      return perLoop.computeIfAbsent(Thread.currentThread(), t -> newClients(loopPool));
    }
    Clients clients = offLoop;
    if (clients == null) {
      synchronized (this) {
        if (offLoop == null) {
          offLoop = newClients(wholePool);
        }
        clients = offLoop;
      }
    }
    return clients;
  }

  private Clients newClients(PoolOptions pool) {
    HttpClientAgent secure = vertx.createHttpClient(secureOptions, pool);
    return new Clients(secure, oneClient ? secure : vertx.createHttpClient(plainOptions, pool));
  }

  /** The request's method, URL and headers; the URL is parsed (and its server address made) once per distinct URL. */
  private RequestOptions target(HttpMethod method, String absoluteUrl, MultiMap headers) {
    RequestOptions parsed = targets.get(absoluteUrl);
    if (parsed == null) {
      parsed = new RequestOptions().setAbsoluteURI(absoluteUrl);
      // the server's address made once, not per request by the client (an IP literal would be parsed each time)
      parsed.setServer(SocketAddress.inetSocketAddress(parsed.getPort(), parsed.getHost()));
      if (targets.size() < MAX_CACHED_TARGETS) {
        targets.putIfAbsent(absoluteUrl, parsed);
      }
    }
    return new RequestOptions(parsed).setMethod(method).setHeaders(headers);
  }

  @Override
  public Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs) {
    HttpClientAgent client;
    try {
      client = clients().of(absoluteUrl);
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    Exchange exchange = new Exchange(firstByteTimeoutMs);
    // armed before the connection is asked for: a call that waits for one of the pool's connections (all busy) or
    // for a slow connect is bounded by the same first-byte timeout as one that waits for the answer
    exchange.timer = LoopDeadlines.arm(vertx, firstByteTimeoutMs, t -> exchange.timeOut());
    client.request(target(method, absoluteUrl, headers)).onComplete(acquired -> {
      if (acquired.failed()) {
        exchange.timer.cancel();
        exchange.result.tryFail(acquired.cause());
      } else {
        exchange.send(acquired.result(), body);
      }
    });
    return exchange.result.future();
  }

  /**
   * One call from its start to its response headers. {@code request} is written by the callback that hands over the
   * connection and read by the timer's callback: both run on the caller's event loop, or (off-loop callers) on two
   * threads, hence volatile; whichever of the two comes second resets the request (resetting twice is harmless).
   */
  private final class Exchange {
    final Promise<UpstreamResponse> result = Promise.promise();
    final long firstByteTimeoutMs;
    Timeout timer;
    volatile HttpClientRequest request;

    Exchange(long firstByteTimeoutMs) {
      this.firstByteTimeoutMs = firstByteTimeoutMs;
    }

    void timeOut() {
      boolean connected = request != null;
      String message = connected
          ? "no response from upstream within " + firstByteTimeoutMs + " ms"
          : "no response from upstream within " + firstByteTimeoutMs + " ms (no connection to it was free or opened in that time)";
      if (result.tryFail(new TimeoutException(message))) {
        HttpClientRequest sent = request;
        if (sent != null) {
          sent.reset();
        }
      }
    }

    void send(HttpClientRequest acquired, Buffer body) {
      request = acquired;
      if (result.future().isComplete()) {
        // timed out while waiting for the connection: nothing is written, the connection goes back to the pool
        acquired.exceptionHandler(reset -> { });
        acquired.reset();
        return;
      }
      acquired.send(body).onComplete(ar -> {
        timer.cancel();
        if (ar.succeeded()) {
          HttpClientResponse response = ar.result().pause();
          if (!result.tryComplete(new Response(acquired, response))) {
            acquired.reset();
          }
        } else {
          result.tryFail(ar.cause());
        }
      });
    }
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new ArrayList<>();
    perLoop.values().forEach(c -> closing.add(c.close()));
    perLoop.clear();
    Clients shared = offLoop;
    if (shared != null) {
      closing.add(shared.close());
    }
    return Future.join(closing).mapEmpty();
  }

  /** One event loop's clients (or the off-loop ones): for {@code https} URLs and for {@code http} URLs, the same client when both would be configured alike. */
  private record Clients(HttpClientAgent secure, HttpClientAgent plain) {
    HttpClientAgent of(String absoluteUrl) {
      return absoluteUrl.regionMatches(true, 0, "https:", 0, 6) ? secure : plain;
    }

    Future<Void> close() {
      return plain == secure ? secure.close() : Future.join(secure.close(), plain.close()).mapEmpty();
    }
  }

  private record Response(HttpClientRequest request, HttpClientResponse response) implements UpstreamResponse {
    @Override
    public int status() {
      return response.statusCode();
    }

    @Override
    public MultiMap headers() {
      return response.headers();
    }

    @Override
    public ReadStream<Buffer> body() {
      return response;
    }

    @Override
    public Future<Buffer> fullBody() {
      // body() before resume(): the paused response holds its end until then, so the body future hears it from
      // whatever thread asks (resumed first, the loop could deliver the end before body() exists, and Vert.x 5.0.10
      // would never complete the future: eclipse-vertx/vert.x#6038)
      Future<Buffer> body = response.body();
      response.resume();
      return body;
    }

    @Override
    public void cancel() {
      request.reset();
    }
  }
}
