package dev.ensemble.wire.anthropic;

import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;

/**
 * Anthropic's usage object. Anthropic's {@code input_tokens} already excludes cached tokens, so it maps
 * straight onto {@link Usage#input()}; {@code cache_read_input_tokens} and {@code cache_creation_input_tokens}
 * map onto cacheRead and cacheWrite.
 */
final class UsageFields {

  private UsageFields() {
  }

  /** The usage reported in {@code usage}, with {@code null} for every field not reported. */
  static Usage read(JsonObject usage, String path) {
    if (usage == null) {
      return Usage.UNKNOWN;
    }
    JsonFields f = JsonFields.UPSTREAM;
    return new Usage(
        f.optLong(usage, "input_tokens", path),
        f.optLong(usage, "output_tokens", path),
        f.optLong(usage, "cache_read_input_tokens", path),
        f.optLong(usage, "cache_creation_input_tokens", path));
  }

  /** All four fields in Anthropic's order, zero where unknown (SDKs expect numbers). */
  static JsonObject full(Usage usage) {
    Usage u = usage == null ? Usage.UNKNOWN : usage;
    return new JsonObject()
        .put("input_tokens", Usage.orZero(u.input()))
        .put("cache_creation_input_tokens", Usage.orZero(u.cacheWrite()))
        .put("cache_read_input_tokens", Usage.orZero(u.cacheRead()))
        .put("output_tokens", Usage.orZero(u.output()));
  }

  /**
   * The cumulative usage of a {@code message_delta}: the known input and cache fields, and
   * {@code output_tokens} always. Unknown fields are left out so a client's accumulator keeps what
   * {@code message_start} told it.
   */
  static JsonObject known(Usage usage) {
    Usage u = usage == null ? Usage.UNKNOWN : usage;
    JsonObject json = new JsonObject();
    if (u.input() != null) {
      json.put("input_tokens", u.input());
    }
    if (u.cacheWrite() != null) {
      json.put("cache_creation_input_tokens", u.cacheWrite());
    }
    if (u.cacheRead() != null) {
      json.put("cache_read_input_tokens", u.cacheRead());
    }
    return json.put("output_tokens", Usage.orZero(u.output()));
  }
}
