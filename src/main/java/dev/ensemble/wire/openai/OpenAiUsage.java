package dev.ensemble.wire.openai;

import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI {@code usage} objects. OpenAI's {@code prompt_tokens} includes {@code cached_tokens}; the unified
 * {@link Usage#input()} does not, so the cached part moves to {@code cacheRead}. OpenAI reports no cache
 * writes, so {@code cacheWrite} stays null.
 */
final class OpenAiUsage {

  private OpenAiUsage() {
  }

  /** Reads an upstream usage object; {@code null} in, {@link Usage#UNKNOWN} out. Tolerates odd types. */
  static Usage decode(Object value) {
    if (!(value instanceof JsonObject usage)) {
      return Usage.UNKNOWN;
    }
    Long prompt = number(usage.getValue("prompt_tokens"));
    Long completion = number(usage.getValue("completion_tokens"));
    Long cached = usage.getValue("prompt_tokens_details") instanceof JsonObject details
        ? number(details.getValue("cached_tokens"))
        : null;
    Long input = prompt == null ? null : Math.max(0L, prompt - (cached == null ? 0L : cached));
    return new Usage(input, completion, cached, null);
  }

  /** The client-facing usage object, the same in complete answers and in the final stream chunk. */
  static JsonObject encode(Usage usage) {
    Usage u = usage == null ? Usage.UNKNOWN : usage;
    long prompt = u.promptTotal();
    long completion = Usage.orZero(u.output());
    return new JsonObject()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", Usage.orZero(u.cacheRead())))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", 0));
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }
}
