package dev.ensemble.logging;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * A snapshot of one {@link RingBufferAppender}: its ring's capacity and current depth, the lines handed to
 * it ({@code offered}), written to its wrapped appenders, and dropped because the ring was full, by level
 * ({@code ERROR}, {@code WARN}, {@code INFO}, {@code DEBUG}, {@code TRACE}). Once the appender is stopped and
 * drained, {@code written + dropped == offered}.
 */
public record LogQueueStats(String name, int capacity, int depth, long offered, long written, Map<String, Long> droppedByLevel) {

  public LogQueueStats {
    droppedByLevel = Map.copyOf(droppedByLevel);
  }

  public long dropped() {
    return droppedByLevel.values().stream().mapToLong(Long::longValue).sum();
  }

  public JsonObject toJson() {
    JsonObject levels = new JsonObject();
    for (String level : RingBufferAppender.LEVELS) {
      levels.put(level.toLowerCase(), droppedByLevel.getOrDefault(level, 0L));
    }
    return new JsonObject()
        .put("appender", name)
        .put("capacity", capacity)
        .put("depth", depth)
        .put("offered", offered)
        .put("written", written)
        .put("dropped", dropped())
        .put("dropped_by_level", levels);
  }
}
