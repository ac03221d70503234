package dev.ensemble.balancer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.OriginRequestProvider;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local HTTP load balancer in front of nodes on 127.0.0.1, behaving as a cloud load balancer does (for
 * {@code ensemble balance}, {@code cluster/run-local.sh} and the fleet tests): Vert.x's http-proxy, round-robin over
 * the nodes whose {@code GET /api/v1/ready} answered 200 at the last check (every {@code checkIntervalMs}); a node
 * that fails a check, or does not answer, leaves the rotation until it passes one. Streams (SSE) pass through as
 * they come. Its state: the set of ready ports (a concurrent set written by the checker's
 * timer), a round-robin counter (atomic). {@link #close} stops its server, clients and timer.
 */
public final class ReadyBalancer implements AutoCloseable {

  private final Vertx vertx;
  private final List<Integer> ports = new CopyOnWriteArrayList<>();
  private final Set<Integer> ready = ConcurrentHashMap.newKeySet();
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong noBackend = new AtomicLong();
  private HttpServer server;
  private HttpClient proxyClient;
  private HttpClient checks;
  private long timer = -1;

  private ReadyBalancer(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts a balancer over {@code nodePorts}, checking readiness every {@code checkIntervalMs}. */
  public static Future<ReadyBalancer> start(Vertx vertx, List<Integer> nodePorts, long checkIntervalMs) {
    return start(vertx, "127.0.0.1", 0, nodePorts, checkIntervalMs);
  }

  /** Starts a balancer listening on {@code host:port} (0: a free port) over the nodes on 127.0.0.1 at {@code nodePorts}. */
  public static Future<ReadyBalancer> start(Vertx vertx, String host, int port, List<Integer> nodePorts, long checkIntervalMs) {
    ReadyBalancer lb = new ReadyBalancer(vertx);
    lb.ports.addAll(nodePorts);
    lb.proxyClient = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
    lb.checks = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(500).setKeepAlive(false));
    HttpProxy proxy = HttpProxy.reverseProxy(lb.proxyClient).origin(OriginRequestProvider.selector(ctx -> lb.pick()));
    lb.timer = vertx.setPeriodic(0, checkIntervalMs, t -> lb.check());
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)).requestHandler(proxy).listen()
        .map(server -> {
          lb.server = server;
          return lb;
        });
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** The ports in rotation now. */
  public Set<Integer> ready() {
    return Set.copyOf(ready);
  }

  /** Requests that found no ready node (answered 502 by the proxy). */
  public long noBackend() {
    return noBackend.get();
  }

  private Future<SocketAddress> pick() {
    List<Integer> live = ports.stream().filter(ready::contains).toList();
    if (live.isEmpty()) {
      noBackend.incrementAndGet();
      return Future.failedFuture("no ready node");
    }
    int port = live.get((int) (next.getAndIncrement() % live.size()));
    return Future.succeededFuture(SocketAddress.inetSocketAddress(port, "127.0.0.1"));
  }

  private void check() {
    for (int port : ports) {
      checks.request(HttpMethod.GET, port, "127.0.0.1", "/api/v1/ready")
          .compose(req -> req.idleTimeout(1000).send())
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            if (ar.succeeded() && ar.result() == 200) {
              ready.add(port);
            } else {
              ready.remove(port);
            }
          });
    }
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    closed.compose(v -> proxyClient.close()).compose(v -> checks.close()).toCompletionStage().toCompletableFuture().join();
  }
}
