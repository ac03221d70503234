package dev.ensemble.bench;

import dev.ensemble.metrics.InstrumentedVertx;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU per proxied request of Vert.x's HTTP request meters: the server's (request begin, routed three times as a chat request is, request end, response
 * end) and the client's (request begin and end, response begin and end) for one request answered 200, as a node's
 * Vert.x has them ({@code InstrumentedVertx}: {@code metrics.HttpServerMeters} and {@code HttpClientMeters}) against
 * vertx-micrometer-metrics' own with the same options. Measured as this thread's CPU time over rounds of 300,000.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.ensemble.bench.HttpMetersCost}, or compiled against a gateway jar
 * ({@code javac -cp <jar>}, then {@code java -cp <classes>:<jar>}) to compare two jars.
 */
public final class HttpMetersCost {

  private static final HttpRequest REQUEST = new HttpRequest() {
    @Override public int id() { return 1; }
    @Override public String uri() { return "/v1/chat/completions"; }
    @Override public String absoluteURI() { return "http://127.0.0.1:8080/v1/chat/completions"; }
    @Override public HttpMethod method() { return HttpMethod.POST; }
    @Override public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
    @Override public SocketAddress remoteAddress() { return SocketAddress.inetSocketAddress(40000, "127.0.0.1"); }
  };
  private static final HttpResponse RESPONSE = new HttpResponse() {
    @Override public int statusCode() { return 200; }
    @Override public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
  };

  public static void main(String[] args) throws Exception {
    for (int pass = 0; pass < 2; pass++) {
      PrometheusMeterRegistry ours = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      measure("node (HttpServerMeters, HttpClientMeters)", InstrumentedVertx.builder(ours).build());
      PrometheusMeterRegistry theirs = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      measure("vertx-micrometer-metrics", Vertx.builder().with(new VertxOptions().setMetricsOptions(InstrumentedVertx.options()))
          .withMetrics(new MicrometerMetricsFactory(theirs)).build());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void measure(String name, Vertx vertx) throws Exception {
    try {
      VertxMetrics metrics = ((VertxInternal) vertx).metrics();
      SocketAddress local = SocketAddress.inetSocketAddress(8080, "127.0.0.1");
      HttpServerMetrics server = metrics.createHttpServerMetrics(new HttpServerOptions(), local);
      ClientMetrics endpoint = ((HttpClientMetrics) metrics.createHttpClientMetrics(new HttpClientOptions())).createEndpointMetrics(local, 10);
      Object socket = server.connected(REQUEST.remoteAddress(), null);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      int n = 300_000;
      for (int round = 0; round < 6; round++) {
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          Object request = server.requestBegin(socket, REQUEST);
          // the routes a chat request passes through in a node (IngressRoutes: the "/v1/*" lifecycle check and
          // client key, then the chat route), tagged "/v1/>/v1/>/v1/chat/completions"
          server.requestRouted(request, "/v1/");
          server.requestRouted(request, "/v1/");
          server.requestRouted(request, "/v1/chat/completions");
          server.requestEnd(request, REQUEST, 900);
          Object call = endpoint.requestBegin("/v1/chat/completions", REQUEST);
          endpoint.requestEnd(call, 900);
          endpoint.responseBegin(call, RESPONSE);
          endpoint.responseEnd(call, 1500);
          server.responseEnd(request, RESPONSE, 1200);
        }
        long cpu = threads.getCurrentThreadCpuTime() - start;
        if (round >= 3) {
          System.out.printf("%-45s %6.0f ns CPU per proxied request%n", name, cpu / (double) n);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
