package dev.ensemble.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped {@code logback.xml} sends every line through a 65,536-slot ring to the console, and drops only
 * Micrometer's warning about vertx-micrometer-metrics re-registering its own gauges.
 */
class LogbackConfigTest {

  @Test
  void shippedConfigLogsThroughTheRingBuffer() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
    try {
      RingBufferAppender ring = assertInstanceOf(RingBufferAppender.class, context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC"));
      assertTrue(ring.isStarted());
      assertInstanceOf(ConsoleAppender.class, ring.getAppender("STDOUT"));
      assertEquals(65_536, ring.stats().capacity());
      assertEquals(java.util.List.of(ring), LogBuffers.of(context).appenders());
    } finally {
      context.stop();
    }
  }

  @Test
  void shippedConfigDropsOnlyTheWarningAboutVertxGaugesRegisteredAgain() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
    seen.setContext(context);
    seen.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
    try {
      Logger micrometer = context.getLogger("io.micrometer.core.instrument.MeterRegistry");
      micrometer.warn("This Gauge has been already registered (MeterId{name='vertx.eventbus.pending', tags=[tag(address=ensemble.clients.directory),"
          + "tag(side=local)]}), the registration will be ignored. Note that subsequent logs will be logged at debug level.");
      micrometer.warn("This Gauge has been already registered (MeterId{name='ensemble.circuit.state', tags=[]}), the registration will be ignored.");
      micrometer.warn("A MeterFilter is being configured after a Meter has been registered to this registry.");
      context.getLogger("dev.ensemble.Other").warn("This Gauge has been already registered (MeterId{name='vertx.x', tags=[]})");

      assertEquals(java.util.List.of(
          "This Gauge has been already registered (MeterId{name='ensemble.circuit.state', tags=[]}), the registration will be ignored.",
          "A MeterFilter is being configured after a Meter has been registered to this registry.",
          "This Gauge has been already registered (MeterId{name='vertx.x', tags=[]})"),
          seen.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList());
    } finally {
      context.stop();
    }
  }
}
