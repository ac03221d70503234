package dev.ensemble.providers;

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
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Calls a provider over HTTP with pooled Vert.x HTTP clients (keep-alive, gzip, HTTP/2 by ALPN on TLS): one client,
 * and so one connection pool, per event loop that sends through it. A Vert.x client's pooled connection lives on the
 * event loop that opened it and hands its callbacks to the caller's loop; with one pool per loop a request made on
 * ingress loop E is written and answered on connections of E only, so the upstream exchange and the client's answer
 * stay on one thread (no wake-up of another loop per request, which on a busy machine cost the unloaded latency most
 * of a millisecond). Calls from outside an event loop (tests, start-up) use a client of their own.
 *
 * <p>The clients belong to the provider's pool verticle and are closed with it. The map of clients is the only mutable
 * state: written once per event loop by that loop ({@code computeIfAbsent}), read by it afterwards.
 */
public final class HttpUpstreamTransport implements UpstreamTransport {

  /** Parsed request targets kept per absolute URL; endpoints' URLs are few, a bound keeps invented ones out. */
  private static final int MAX_CACHED_TARGETS = 1024;

  private final Vertx vertx;
  private final HttpClientOptions options;
  private final PoolOptions pool;
  private final Map<Thread, HttpClientAgent> perLoop = new ConcurrentHashMap<>();
  private final Map<String, RequestOptions> targets = new ConcurrentHashMap<>();
  private volatile HttpClientAgent offLoop;
  private volatile boolean closed;

  /**
   * @param maxConnectionsPerHost connections per upstream host across the node: split evenly over Vert.x's default
   *                              number of event loops (each loop's pool holds its share, at least 8)
   */
  public HttpUpstreamTransport(Vertx vertx, int maxConnectionsPerHost) {
    this.vertx = vertx;
    this.options = new HttpClientOptions()
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setConnectTimeout(10_000)
        .setUseAlpn(true)
        .setTcpNoDelay(true);
    int loops = Math.max(1, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
    this.pool = new PoolOptions().setHttp1MaxSize(Math.max(8, (maxConnectionsPerHost + loops - 1) / loops));
  }

  /** The client of the calling event loop, or the off-loop one. */
  private HttpClientAgent client() {
    if (closed) {
      throw new IllegalStateException("the transport is closed");
    }
    if (Context.isOnEventLoopThread()) {
      return perLoop.computeIfAbsent(Thread.currentThread(), t -> vertx.createHttpClient(options, pool));
    }
    HttpClientAgent client = offLoop;
    if (client == null) {
      synchronized (this) {
        if (offLoop == null) {
          offLoop = vertx.createHttpClient(options, pool);
        }
        client = offLoop;
      }
    }
    return client;
  }

  /** The request's method, URL and headers; the URL is parsed once per distinct URL. */
  private RequestOptions target(HttpMethod method, String absoluteUrl, MultiMap headers) {
    RequestOptions parsed = targets.get(absoluteUrl);
    if (parsed == null) {
      parsed = new RequestOptions().setAbsoluteURI(absoluteUrl);
      if (targets.size() < MAX_CACHED_TARGETS) {
        targets.putIfAbsent(absoluteUrl, parsed);
      }
    }
    return new RequestOptions(parsed).setMethod(method).setHeaders(headers);
  }

  @Override
  public Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs) {
    Promise<UpstreamResponse> result = Promise.promise();
    HttpClientAgent client;
    try {
      client = client();
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    client.request(target(method, absoluteUrl, headers))
        .onFailure(result::tryFail)
        .onSuccess(request -> {
          long timer = vertx.setTimer(firstByteTimeoutMs, t -> {
            if (result.tryFail(new TimeoutException("no response from upstream within " + firstByteTimeoutMs + " ms"))) {
              request.reset();
            }
          });
          request.send(body).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
              HttpClientResponse response = ar.result().pause();
              if (!result.tryComplete(new Response(request, response))) {
                request.reset();
              }
            } else {
              result.tryFail(ar.cause());
            }
          });
        });
    return result.future();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new ArrayList<>();
    perLoop.values().forEach(c -> closing.add(c.close()));
    perLoop.clear();
    if (offLoop != null) {
      closing.add(offLoop.close());
    }
    return Future.join(closing).mapEmpty();
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
      return response.resume().body();
    }

    @Override
    public void cancel() {
      request.reset();
    }
  }
}
