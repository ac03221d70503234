package dev.ensemble.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the one WARN Micrometer logs when vertx-micrometer-metrics registers one of its own {@code vertx.*} gauges
 * again — every node logged it at start, for {@code vertx.eventbus.pending} of the first event-bus address that
 * received a message ({@code ensemble.clients.directory}).
 *
 * <p>Nothing is registered twice by Ensemble: the consumer of that address is registered once. vertx-micrometer-metrics
 * 5.0 registers the {@code vertx.eventbus.pending} gauge of an address when its handler is registered, and again
 * for every message the address receives ({@code VertxEventBusMetrics.messageReceived}), relying on Micrometer
 * returning the gauge already there; likewise {@code vertx.http.server.active.connections} per server instance.
 * Since 1.13.9 Micrometer warns about such a re-registration (once per JVM, later ones at DEBUG). That is
 * vert-x3/vertx-micrometer-metrics#259, open upstream; the meters themselves are right. Only that message about a
 * gauge named {@code vertx.*} is dropped: a gauge of Ensemble's own registered twice still warns.
 *
 * <p>Configured in {@code logback.xml} (and the tests' {@code logback-test.xml}) as a {@code turboFilter}; stateless.
 */
public final class VertxGaugeReRegistrationFilter extends TurboFilter {

  private static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String MESSAGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == Level.WARN && format != null && format.startsWith(MESSAGE) && LOGGER.equals(logger.getName())) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
