package dev.ensemble.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One HTTP client's {@code vertx_http_client_*} request meters, as vertx-micrometer-metrics names and tags them (labels
 * {@code client_name}, {@code local}, {@code remote}, {@code path}, {@code method}, {@code code} as enabled): active
 * requests, requests, request and response bytes, responses, response time. Unlike vertx-micrometer's, which builds
 * the tags and looks each meter up in the registry on every request (and registers the active-requests gauge again each
 * time), a request's meters are found by one map read on its method (and path), its response's by one more on the status.
 * The connection, byte, error and WebSocket meters stay vertx-micrometer's ({@code connections}).
 *
 * <p>Called on the event loops of the client's connections; the maps are concurrent and hold one entry per series
 * (endpoints × methods × statuses, all bounded), each {@link Request} is confined to its connection's loop.
 */
final class HttpClientMeters implements HttpClientMetrics<HttpClientMeters.Request, Object, Object> {

  private final HttpClientMetrics<Object, Object, Object> connections;
  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final ActiveGauges active;
  private final Tags local;
  private final boolean byRemote;
  private final boolean byPath;
  private final boolean byMethod;
  private final boolean byCode;
  /** One per distinct endpoint tags: every endpoint of a client has the same tags unless they carry its remote address. */
  private final Map<Tags, Endpoint> endpoints = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  HttpClientMeters(HttpClientMetrics<?, ?, ?> connections, MeterRegistry registry, MetricsNaming naming, Set<Label> labels,
      ActiveGauges active, HttpClientOptions options) {
    this.connections = (HttpClientMetrics<Object, Object, Object>) connections;
    this.registry = registry;
    this.names = naming.withBaseName(MetricsDomain.HTTP_CLIENT.getPrefix());
    this.active = active;
    Tags tags = Tags.empty();
    if (labels.contains(Label.CLIENT_NAME)) {
      tags = tags.and(Label.CLIENT_NAME.toString(), options.getMetricsName() == null ? "?" : options.getMetricsName());
    }
    if (labels.contains(Label.LOCAL)) {
      tags = tags.and(Label.LOCAL.toString(), options.getLocalAddress() == null ? "?" : options.getLocalAddress());
    }
    this.local = tags;
    this.byRemote = labels.contains(Label.REMOTE);
    this.byPath = labels.contains(Label.HTTP_PATH);
    this.byMethod = labels.contains(Label.HTTP_METHOD);
    this.byCode = labels.contains(Label.HTTP_CODE);
  }

  /** Whether these meters tag as vertx-micrometer would: no custom tags. */
  static boolean covers(boolean customTags) {
    return !customTags;
  }

  @Override
  public ClientMetrics<Request, HttpRequest, HttpResponse> createEndpointMetrics(SocketAddress remoteAddress, int maxPoolSize) {
    Tags tags = byRemote ? local.and(Label.REMOTE.toString(), remoteAddress == null ? "?" : remoteAddress.toString()) : local;
    return endpoints.computeIfAbsent(tags, Endpoint::new);
  }

  private record RequestKey(String path, HttpMethod method) {
  }

  private record ResponseKey(RequestMeters request, int code) {
  }

  /** The meters of requests with one set of tags. */
  private final class RequestMeters {
    final Tags tags;
    final LongAdder active;
    final Counter count;
    final DistributionSummary bytes;

    RequestMeters(Tags tags) {
      this.tags = tags;
      this.active = HttpClientMeters.this.active.count(names.getHttpActiveRequests(), "Number of requests waiting for a response", tags);
      this.count = Counter.builder(names.getHttpRequestsCount()).description("Number of requests sent").tags(tags).register(registry);
      this.bytes = DistributionSummary.builder(names.getHttpRequestBytes()).description("Size of requests in bytes").tags(tags).register(registry);
    }
  }

  /** The meters of responses with one set of tags. */
  private final class ResponseMeters {
    final Counter count;
    final Timer time;
    final DistributionSummary bytes;

    ResponseMeters(Tags tags) {
      count = Counter.builder(names.getHttpResponsesCount()).description("Response count with codes").tags(tags).register(registry);
      time = Timer.builder(names.getHttpResponseTime()).description("Response time").tags(tags).register(registry);
      bytes = DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes").tags(tags).register(registry);
    }
  }

  /** One request under way, on its connection's event loop. */
  static final class Request {
    private final RequestMeters meters;
    private final long startNanos = System.nanoTime();
    private int code = -1;
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

  /** The meters of one endpoint's requests (or of every endpoint's, when they are not tagged by remote address). */
  private final class Endpoint implements ClientMetrics<Request, HttpRequest, HttpResponse> {
    private final Tags tags;
    private final Map<RequestKey, RequestMeters> requests = new ConcurrentHashMap<>();
    private final Map<ResponseKey, ResponseMeters> responses = new ConcurrentHashMap<>();

    Endpoint(Tags tags) {
      this.tags = tags;
    }

    private RequestMeters requestMeters(String path, HttpMethod method) {
      RequestKey key = new RequestKey(path, method);
      RequestMeters meters = requests.get(key);
      if (meters == null) {
        Tags requestTags = tags;
        if (path != null) {
          requestTags = requestTags.and(Label.HTTP_PATH.toString(), path);
        }
        if (method != null) {
          requestTags = requestTags.and(Label.HTTP_METHOD.toString(), method.toString());
        }
        Tags built = requestTags;
        meters = requests.computeIfAbsent(key, k -> new RequestMeters(built));
      }
      return meters;
    }

    private ResponseMeters responseMeters(RequestMeters request, int code) {
      ResponseKey key = new ResponseKey(request, code);
      ResponseMeters meters = responses.get(key);
      if (meters == null) {
        Tags responseTags = code >= 0 ? request.tags.and(Label.HTTP_CODE.toString(), Integer.toString(code)) : request.tags;
        meters = responses.computeIfAbsent(key, k -> new ResponseMeters(responseTags));
      }
      return meters;
    }

    @Override
    public Request requestBegin(String uri, HttpRequest request) {
      Request metric = new Request(requestMeters(byPath ? HttpPaths.of(request.uri()) : null, byMethod ? request.method() : null));
      metric.meters.active.increment();
      metric.meters.count.increment();
      return metric;
    }

    @Override
    public void requestEnd(Request request, long bytesWritten) {
      request.meters.bytes.record(bytesWritten);
      if (request.requestEnded()) {
        request.meters.active.decrement();
      }
    }

    @Override
    public void requestReset(Request request) {
      request.meters.active.decrement();
      request.reset = true;
    }

    @Override
    public void responseBegin(Request request, HttpResponse response) {
      if (byCode) {
        request.code = response.statusCode();
      }
    }

    @Override
    public void responseEnd(Request request, long bytesRead) {
      if (request.responseEnded()) {
        request.meters.active.decrement();
      }
      ResponseMeters meters = responseMeters(request.meters, request.code);
      meters.count.increment();
      meters.time.record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
      meters.bytes.record(bytesRead);
    }
  }

  @Override
  public Object connected(WebSocket webSocket) {
    return connections.connected(webSocket);
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
