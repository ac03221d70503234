package dev.ensemble.balancer;

import io.netty.channel.ConnectTimeoutException;
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

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local HTTP load balancer in front of nodes on 127.0.0.1, behaving as a cloud load balancer does (for
 * {@code ensemble balance}, {@code cluster/run-local.sh} and the fleet tests): Vert.x's http-proxy, round-robin over
 * the nodes whose {@code GET /api/v1/ready} answered 200 at the last check (every {@code checkIntervalMs}). A node
 * that answers anything else (503 while it starts or drains) or refuses the connection leaves the rotation at once;
 * one that does not answer in time leaves it after {@value #UNANSWERED_CHECKS_TO_LEAVE} such checks in a row (like a
 * cloud balancer's unhealthy threshold), so a node that is merely slow under load is not taken out with its peers
 * and the rotation never empties while nodes still serve. A node is asked again only once its last check ended, so
 * a late answer never overrides a newer one. Streams (SSE) pass through as they come. Its state: the set of ready
 * ports, each node's count of unanswered checks in a row and the set of nodes being checked (concurrent
 * structures written by the checks' callbacks), a round-robin counter (atomic). {@link #close} stops its server,
 * clients and timer.
 */
public final class ReadyBalancer implements AutoCloseable {

  /** Checks in a row a node may leave unanswered (timed out) before it leaves the rotation. */
  static final int UNANSWERED_CHECKS_TO_LEAVE = 3;

  private final Vertx vertx;
  private final List<Integer> ports = new CopyOnWriteArrayList<>();
  private final Set<Integer> ready = ConcurrentHashMap.newKeySet();
  private final Set<Integer> checking = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Integer> unanswered = new ConcurrentHashMap<>();
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
      if (!checking.add(port)) {
        continue;
      }
      checks.request(HttpMethod.GET, port, "127.0.0.1", "/api/v1/ready")
          .compose(req -> req.idleTimeout(1000).send())
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            checking.remove(port);
            if (ar.succeeded() || refused(ar.cause())) {
              unanswered.remove(port);
              if (ar.succeeded() && ar.result() == 200) {
                ready.add(port);
              } else {
                ready.remove(port);
              }
            } else if (unanswered.merge(port, 1, Integer::sum) >= UNANSWERED_CHECKS_TO_LEAVE) {
              ready.remove(port);
            }
          });
    }
  }

  /** Whether the node's port turned the connection away (nothing listens: it is gone), rather than not answering in time. */
  private static boolean refused(Throwable cause) {
    return cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException);
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
