package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

/**
 * Token usage of one response. {@code input} counts only uncached input tokens; {@code cacheRead} and
 * {@code cacheWrite} are separate, so the prompt's total is their sum. {@code reasoning} is the part of
 * {@code output} the model spent on hidden reasoning (OpenAI's {@code reasoning_tokens}, Gemini's
 * {@code thoughtsTokenCount}): a breakdown of {@code output}, never added to it. A field is {@code null} when the
 * provider did not report it; zero means zero.
 */
public record Usage(Long input, Long output, Long cacheRead, Long cacheWrite, Long reasoning) {

  public static final Usage UNKNOWN = new Usage(null, null, null, null, null);

  /** Usage without a reasoning breakdown. */
  public Usage(Long input, Long output, Long cacheRead, Long cacheWrite) {
    this(input, output, cacheRead, cacheWrite, null);
  }

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
        later.cacheWrite != null ? later.cacheWrite : cacheWrite,
        later.reasoning != null ? later.reasoning : reasoning);
  }

  /** This usage with {@code tokens} as its reasoning breakdown. */
  public Usage withReasoning(Long tokens) {
    return new Usage(input, output, cacheRead, cacheWrite, tokens);
  }

  /**
   * This usage as a client reads it (unified events, stored responses): the four counts always numbers, zero where the
   * provider reported none (as the usage ledger sums such a count), so that their sum is the prompt's total and
   * {@code response.end} agrees with the ledger row. The reasoning breakdown stays null when it was not reported.
   */
  public Usage counted() {
    return new Usage(orZero(input), orZero(output), orZero(cacheRead), orZero(cacheWrite), reasoning);
  }

  public boolean isKnown() {
    return input != null || output != null || cacheRead != null || cacheWrite != null;
  }

  /**
   * The JSON form: {@code {input, output, cache_read, cache_write}}, plus {@code reasoning} when the provider reported
   * it; a count not reported is null, so {@link #fromJson} reads back the same usage (the crash journal's, cache's and
   * ledger's form). What a client reads is {@link #counted()}'s.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("input", input)
        .put("output", output)
        .put("cache_read", cacheRead)
        .put("cache_write", cacheWrite);
    if (reasoning != null) {
      json.put("reasoning", reasoning);
    }
    return json;
  }

  /** Reads {@link #toJson()}'s form; a missing field is null. */
  public static Usage fromJson(JsonObject json) {
    if (json == null) {
      return UNKNOWN;
    }
    return new Usage(json.getLong("input"), json.getLong("output"), json.getLong("cache_read"), json.getLong("cache_write"),
        json.getLong("reasoning"));
  }

  public static long orZero(Long value) {
    return value == null ? 0L : value;
  }
}
