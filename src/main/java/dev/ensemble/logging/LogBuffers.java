package dev.ensemble.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.ILoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@link RingBufferAppender}s logback built from its configuration, found by walking the loggers of the
 * {@link LoggerContext} once at node start (logback creates the appenders, not us, so this is the bridge —
 * no static registry). Empty when the logging backend is not logback or no ring-buffer appender is
 * configured: logging is then synchronous and there is nothing to count.
 */
public final class LogBuffers {

  private final List<RingBufferAppender> appenders;

  public LogBuffers(List<RingBufferAppender> appenders) {
    this.appenders = List.copyOf(appenders);
  }

  /** The ring-buffer appenders attached to any logger of {@code factory} (slf4j's {@code LoggerFactory.getILoggerFactory()}). */
  public static LogBuffers of(ILoggerFactory factory) {
    if (!(factory instanceof LoggerContext context)) {
      return new LogBuffers(List.of());
    }
    Set<RingBufferAppender> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<RingBufferAppender> found = new ArrayList<>();
    for (Logger logger : context.getLoggerList()) {
      for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof RingBufferAppender ring && seen.add(ring)) {
          found.add(ring);
        }
      }
    }
    return new LogBuffers(found);
  }

  public List<RingBufferAppender> appenders() {
    return appenders;
  }

  /** The {@code logging} section of {@code /admin/status}. */
  public JsonObject toJson() {
    JsonArray buffers = new JsonArray();
    long dropped = 0;
    for (RingBufferAppender appender : appenders) {
      LogQueueStats stats = appender.stats();
      dropped += stats.dropped();
      buffers.add(stats.toJson());
    }
    return new JsonObject().put("async", !appenders.isEmpty()).put("dropped", dropped).put("buffers", buffers);
  }
}
