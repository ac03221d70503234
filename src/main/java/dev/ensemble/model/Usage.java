package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

/**
 * Token usage of one response. {@code input} counts only uncached input tokens; {@code cacheRead} and
 * {@code cacheWrite} are separate, so the prompt's total is their sum. A field is {@code null} when the
 * provider did not report it; zero means zero.
 */
public record Usage(Long input, Long output, Long cacheRead, Long cacheWrite) {

  public static final Usage UNKNOWN = new Usage(null, null, null, null);

  /** Input tokens of the whole prompt: uncached + cache read + cache write. */
  public long promptTotal() {
    return orZero(input) + orZero(cacheRead) + orZero(cacheWrite);
  }

  /** Fields of {@code later} replace this one's where {@code later} reports them. */
  public Usage mergedWith(Usage later) {
    if (later == null) {
      return this;
    }
    return new Usage(
        later.input != null ? later.input : input,
        later.output != null ? later.output : output,
        later.cacheRead != null ? later.cacheRead : cacheRead,
        later.cacheWrite != null ? later.cacheWrite : cacheWrite);
  }

  public boolean isKnown() {
    return input != null || output != null || cacheRead != null || cacheWrite != null;
  }

  /** The unified-event JSON form: {@code {input, output, cache_read, cache_write}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("input", input)
        .put("output", output)
        .put("cache_read", cacheRead)
        .put("cache_write", cacheWrite);
  }

  public static long orZero(Long value) {
    return value == null ? 0L : value;
  }
}
