package dev.ensemble.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.UUID;

/**
 * A {@link Vertx} that reports its own metrics — HTTP server and client, event bus per address, pools — into
 * a node's registry (vertx-micrometer-metrics, with the event bus's meters kept by {@link EventBusMeters}: see {@link VertxMeters}). Vert.x metrics exist only when the instance is built this way; {@link GatewayMetrics}
 * binds the JVM meters itself, so they are off here.
 */
public final class InstrumentedVertx {

  private InstrumentedVertx() {
  }

  /**
   * Metrics options for {@code registry}. The registry name is unique per call: vertx-micrometer keeps its
   * backends in a JVM-wide map by name, and two nodes in one JVM (tests) must not share one.
   * Labels: the defaults (HTTP method and code, pool type and name, event-bus side) plus the event-bus
   * address and the vertx-web route template — all bounded. Remote addresses stay off: on the server they
   * would be one series per client.
   */
  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false)
        .setRegistryName("ensemble-" + UUID.randomUUID())
        .addLabels(Label.EB_ADDRESS, Label.HTTP_ROUTE);
  }

  /** A builder of a Vert.x instance whose metrics go to {@code registry}; add clustering etc. before building. */
  public static VertxBuilder builder(VertxOptions options, MeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(options()))
        .withMetrics(new VertxMeters(registry));
  }

  public static VertxBuilder builder(MeterRegistry registry) {
    return builder(new VertxOptions(), registry);
  }
}
