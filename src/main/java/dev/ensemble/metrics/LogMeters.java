package dev.ensemble.metrics;

import dev.ensemble.logging.LogBuffers;
import dev.ensemble.logging.RingBufferAppender;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;

/**
 * Meters over the node's {@link LogBuffers}, read at scrape time from each {@link RingBufferAppender}'s
 * counters: lines dropped by level, lines written, and the ring's depth and capacity, tagged with the
 * appender's name. The appenders are held weakly: after a logback reconfiguration the old ones report NaN.
 */
final class LogMeters {

  private static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");

  private LogMeters() {
  }

  static void register(MeterRegistry registry, LogBuffers logs) {
    for (RingBufferAppender appender : logs.appenders()) {
      String name = appender.getName();
      for (String level : LEVELS) {
        FunctionCounter.builder(MetricNames.LOG_LINES_DROPPED, appender,
                a -> a.stats().droppedByLevel().getOrDefault(level.toUpperCase(), 0L))
            .description("Log lines dropped because the logging ring buffer was full")
            .tags("appender", name, "level", level)
            .register(registry);
      }
      FunctionCounter.builder(MetricNames.LOG_LINES_WRITTEN, appender, a -> a.stats().written())
          .description("Log lines the logging writer thread handed to its output")
          .tag("appender", name)
          .register(registry);
      Gauge.builder(MetricNames.LOG_QUEUE_DEPTH, appender, a -> a.stats().depth())
          .description("Log lines queued in the ring buffer, not yet written")
          .tag("appender", name)
          .register(registry);
      Gauge.builder(MetricNames.LOG_QUEUE_CAPACITY, appender, a -> a.stats().capacity())
          .description("Slots of the logging ring buffer")
          .tag("appender", name)
          .register(registry);
    }
  }
}
