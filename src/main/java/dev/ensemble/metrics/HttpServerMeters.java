package dev.ensemble.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One HTTP server's {@code vertx_http_server_*} request meters, as vertx-micrometer-metrics names and tags them
 * (labels {@code local}, {@code path}, {@code method}, {@code route}, {@code code} as enabled): active requests, request
 * and response bytes, requests, response time, resets. Unlike vertx-micrometer's, which builds the tags and looks each
 * meter up in the registry on every request (and registers the active-requests gauge again each time), a request's
 * meters are found by one map read on its method (and path), its response's by one more on route and status: a
 * request costs two hash lookups and a few adds (and one more lookup per further route it passes through, whose
 * joined route tag is made once per chain of routes). The connection, byte, error and WebSocket meters stay vertx-micrometer's
 * ({@code connections}), which keeps them per connection already.
 *
 * <p>Called on the event loops of the server's connections; the maps are concurrent and hold one entry per series
 * (methods × routes × statuses, all bounded) or chain of routes (at most {@link #MAX_JOINS}), each {@link Request} is confined to its connection's loop.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Request, Object, Object> {

  private final HttpServerMetrics<Object, Object, Object> connections;
  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final ActiveGauges active;
  private final Tags local;
  private final boolean byPath;
  private final boolean byMethod;
  private final boolean byRoute;
  private final boolean byCode;
  private final Map<RequestKey, RequestMeters> requests = new ConcurrentHashMap<>();
  private final Map<ResponseKey, ResponseMeters> responses = new ConcurrentHashMap<>();
  /** The route tag of a request that passed through several routes, made once per chain of routes ({@link #routed}). */
  private final Map<RouteJoin, String> joins = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  HttpServerMeters(HttpServerMetrics<?, ?, ?> connections, MeterRegistry registry, MetricsNaming naming, Set<Label> labels,
      ActiveGauges active, SocketAddress localAddress) {
    this.connections = (HttpServerMetrics<Object, Object, Object>) connections;
    this.registry = registry;
    this.names = naming.withBaseName(MetricsDomain.HTTP_SERVER.getPrefix());
    this.active = active;
    this.local = labels.contains(Label.LOCAL) ? Tags.of(Label.LOCAL.toString(), localAddress == null ? "?" : localAddress.toString()) : Tags.empty();
    this.byPath = labels.contains(Label.HTTP_PATH);
    this.byMethod = labels.contains(Label.HTTP_METHOD);
    this.byRoute = labels.contains(Label.HTTP_ROUTE);
    this.byCode = labels.contains(Label.HTTP_CODE);
  }

  /** Whether these meters tag as vertx-micrometer would with {@code labels}: not by remote address, no custom tags. */
  static boolean covers(Set<Label> labels, boolean customTags) {
    return !labels.contains(Label.REMOTE) && !customTags;
  }

  private record RequestKey(String path, HttpMethod method) {
  }

  private record ResponseKey(RequestMeters request, String route, int code) {
  }

  private record RouteJoin(String before, String template) {
  }

  /** At most this many chains of routes are kept joined; past it (a router of thousands of routes) each is joined per request. */
  static final int MAX_JOINS = 1024;

  /** The meters of requests with one set of tags. */
  private final class RequestMeters {
    final Tags tags;
    final LongAdder active;
    final DistributionSummary bytes;
    volatile Counter resets;

    RequestMeters(Tags tags) {
      this.tags = tags;
      this.active = HttpServerMeters.this.active.count(names.getHttpActiveRequests(), "Number of requests being processed", tags);
      this.bytes = DistributionSummary.builder(names.getHttpRequestBytes()).description("Size of requests in bytes").tags(tags).register(registry);
    }

    Counter resets() {
      Counter counter = resets;
      if (counter == null) {
        counter = Counter.builder(names.getHttpRequestResetsCount()).description("Number of request resets").tags(tags).register(registry);
        resets = counter;
      }
      return counter;
    }
  }

  /** The meters of responses with one set of tags. */
  private final class ResponseMeters {
    final Counter count;
    final Timer time;
    final DistributionSummary bytes;

    ResponseMeters(Tags tags) {
      count = Counter.builder(names.getHttpRequestsCount()).description("Number of processed requests").tags(tags).register(registry);
      time = Timer.builder(names.getHttpResponseTime()).description("Request processing time").tags(tags).register(registry);
      bytes = DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes").tags(tags).register(registry);
    }
  }

  /** One request under way, on its connection's event loop. */
  static final class Request {
    private final RequestMeters meters;
    private final long startNanos = System.nanoTime();
    private String route;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    private Request(RequestMeters meters) {
      this.meters = meters;
    }

    private boolean requestEnded() {
      requestEnded = true;
      return !reset && responseEnded;
    }

    private boolean responseEnded() {
      responseEnded = true;
      return !reset && requestEnded;
    }
  }

  private RequestMeters requestMeters(String path, HttpMethod method) {
    RequestKey key = new RequestKey(path, method);
    RequestMeters meters = requests.get(key);
    if (meters == null) {
      Tags tags = local;
      if (path != null) {
        tags = tags.and(Label.HTTP_PATH.toString(), path);
      }
      if (method != null) {
        tags = tags.and(Label.HTTP_METHOD.toString(), method.toString());
      }
      Tags requestTags = tags;
      meters = requests.computeIfAbsent(key, k -> new RequestMeters(requestTags));
    }
    return meters;
  }

  private ResponseMeters responseMeters(RequestMeters request, String route, int code) {
    ResponseKey key = new ResponseKey(request, route, code);
    ResponseMeters meters = responses.get(key);
    if (meters == null) {
      Tags tags = request.tags;
      if (route != null) {
        tags = tags.and(Label.HTTP_ROUTE.toString(), route);
      }
      if (code >= 0) {
        tags = tags.and(Label.HTTP_CODE.toString(), Integer.toString(code));
      }
      Tags responseTags = tags;
      meters = responses.computeIfAbsent(key, k -> new ResponseMeters(responseTags));
    }
    return meters;
  }

  @Override
  public Request requestBegin(Object socketMetric, HttpRequest request) {
    Request metric = new Request(requestMeters(byPath ? HttpPaths.of(request.uri()) : null, byMethod ? request.method() : null));
    metric.meters.active.increment();
    return metric;
  }

  @Override
  public void requestRouted(Request request, String route) {
    if (route != null) {
      request.route = request.route == null ? route : routed(request.route, route);
    }
  }

  /**
   * The routes a request passed through joined by {@code >} (as vertx-micrometer tags them), the same String for every
   * request that takes the same routes: its hash is then computed once, not again for every response's meter lookup.
   */
  private String routed(String before, String template) {
    RouteJoin key = new RouteJoin(before, template);
    String joined = joins.get(key);
    if (joined == null) {
      joined = before + '>' + template;
      if (joins.size() < MAX_JOINS) {
        joined = Objects.requireNonNullElse(joins.putIfAbsent(key, joined), joined);
      }
    }
    return joined;
  }

  @Override
  public void requestReset(Request request) {
    request.meters.resets().increment();
    request.meters.active.decrement();
    request.reset = true;
  }

  @Override
  public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
    request.meters.bytes.record(bytesRead);
    if (request.requestEnded()) {
      request.meters.active.decrement();
    }
  }

  @Override
  public Request responsePushed(Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
    // as vertx-micrometer: a pushed response is tagged by the server's local address only
    Request metric = new Request(requestMeters(null, null));
    metric.meters.active.increment();
    return metric;
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    String route = byRoute ? (request.route == null ? "" : request.route) : null;
    ResponseMeters meters = responseMeters(request.meters, route, byCode ? response.statusCode() : -1);
    meters.count.increment();
    meters.time.record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
    meters.bytes.record(bytesWritten);
    if (request.responseEnded()) {
      request.meters.active.decrement();
    }
  }

  @Override
  public Object connected(Object socketMetric, Request request, ServerWebSocket webSocket) {
    return connections.connected(socketMetric, null, webSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    connections.disconnected(webSocketMetric);
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return connections.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    connections.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    connections.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    connections.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    connections.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  @Override
  public void close() {
    connections.close();
  }
}
