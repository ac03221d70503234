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

/** The shipped {@code logback.xml} sends every line through a 65,536-slot ring to the console. */
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
}
