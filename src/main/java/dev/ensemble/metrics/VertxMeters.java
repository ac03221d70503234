package dev.ensemble.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;
import java.util.Set;

/**
 * Vert.x's metrics SPI for a node: vertx-micrometer-metrics for everything (HTTP connections, pools, net), except the
 * event bus, whose meters are {@link EventBusMeters}, and HTTP server and client requests, whose meters are
 * {@link HttpServerMeters} and {@link HttpClientMeters} (same names and tags, registered once per series instead of
 * looked up per message or request). Stateless; the {@link VertxMetrics} it makes belong to one Vert.x instance.
 */
final class VertxMeters implements VertxMetricsFactory {

  private final MicrometerMetricsFactory micrometer;
  private final MeterRegistry registry;

  VertxMeters(MeterRegistry registry) {
    this.micrometer = new MicrometerMetricsFactory(registry);
    this.registry = registry;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    MetricsOptions given = options.getMetricsOptions();
    MicrometerMetricsOptions micrometerOptions = given instanceof MicrometerMetricsOptions m ? m : new MicrometerMetricsOptions(given.toJson());
    Set<Label> labels = micrometerOptions.getLabels() == null ? EnumSet.noneOf(Label.class) : EnumSet.copyOf(micrometerOptions.getLabels());
    return new WithOwnMeters(micrometer.metrics(options), new EventBusMeters(registry, micrometerOptions.getMetricsNaming()), registry,
        micrometerOptions, labels, new ActiveGauges(registry));
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(JsonObject jsonObject) {
    return micrometer.newOptions(jsonObject);
  }

  /** vertx-micrometer's metrics with the event bus's and the HTTP requests' replaced. */
  private record WithOwnMeters(VertxMetrics delegate, EventBusMeters eventBus, MeterRegistry registry, MicrometerMetricsOptions options,
      Set<Label> labels, ActiveGauges active) implements VertxMetrics {

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      return eventBus;
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions serverOptions, SocketAddress localAddress) {
      HttpServerMetrics<?, ?, ?> theirs = delegate.createHttpServerMetrics(serverOptions, localAddress);
      if (theirs == null || !HttpServerMeters.covers(labels, options.getServerRequestTagsProvider() != null)) {
        return theirs;
      }
      return new HttpServerMeters(theirs, registry, options.getMetricsNaming(), labels, active, localAddress);
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
      return delegate.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions clientOptions) {
      HttpClientMetrics<?, ?, ?> theirs = delegate.createHttpClientMetrics(clientOptions);
      if (theirs == null || !HttpClientMeters.covers(options.getClientRequestTagsProvider() != null)) {
        return theirs;
      }
      return new HttpClientMeters(theirs, registry, options.getMetricsNaming(), labels, active, clientOptions);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
      return delegate.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return delegate.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return delegate.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return delegate.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      delegate.vertxCreated(vertx);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
