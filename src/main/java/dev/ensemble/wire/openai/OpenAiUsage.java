package dev.ensemble.wire.openai;

import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI {@code usage} objects. OpenAI's {@code prompt_tokens} includes {@code cached_tokens}; the unified
 * {@link Usage#input()} does not, so the cached part moves to {@code cacheRead}. OpenAI reports no cache
 * writes, so {@code cacheWrite} stays null unless an upstream reports {@code cache_write_tokens}
 * (OpenRouter does, for providers that charge for writes); that part of {@code prompt_tokens} moves to
 * {@code cacheWrite}. {@code completion_tokens_details.reasoning_tokens} (part of {@code completion_tokens}) is
 * {@link Usage#reasoning()}. OpenRouter also reports what it charged ({@code usage.cost}, USD): it is logged at
 * debug level with the upstream's response id, never used for accounting (catalog prices are).
 */
final class OpenAiUsage {

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiUsage.class);

  private OpenAiUsage() {
  }

  /** Reads an upstream usage object; {@code null} in, {@link Usage#UNKNOWN} out. Tolerates odd types. */
  static Usage decode(Object value) {
    if (!(value instanceof JsonObject usage)) {
      return Usage.UNKNOWN;
    }
    Long prompt = number(usage.getValue("prompt_tokens"));
    Long completion = number(usage.getValue("completion_tokens"));
    JsonObject details = usage.getValue("prompt_tokens_details") instanceof JsonObject d ? d : null;
    Long cached = details == null ? null : number(details.getValue("cached_tokens"));
    Long written = details == null ? null : number(details.getValue("cache_write_tokens"));
    JsonObject completionDetails = usage.getValue("completion_tokens_details") instanceof JsonObject d ? d : null;
    Long reasoning = completionDetails == null ? null : number(completionDetails.getValue("reasoning_tokens"));
    return of(prompt, completion, cached, written, reasoning);
  }

  /**
   * The usage of OpenAI's counts ({@code prompt_tokens}, {@code completion_tokens}, {@code cached_tokens},
   * {@code cache_write_tokens}, {@code reasoning_tokens}; null where not reported).
   */
  static Usage of(Long prompt, Long completion, Long cached, Long written, Long reasoning) {
    Long input = prompt == null ? null : Math.max(0L, prompt - Usage.orZero(cached) - Usage.orZero(written));
    return new Usage(input, completion, cached, written, reasoning);
  }

  /** The cost the upstream says it charged ({@code usage.cost}, OpenRouter), or null when it reports none. */
  static Double reportedCost(Object value) {
    return value instanceof JsonObject usage && usage.getValue("cost") instanceof Number cost ? cost.doubleValue() : null;
  }

  /** Logs an upstream-reported cost next to the upstream's response id, for reconciliation with its bill. */
  static void logReportedCost(String upstreamId, String model, Object usage) {
    logReportedCost(upstreamId, model, reportedCost(usage));
  }

  /** As {@link #logReportedCost(String, String, Object)}, with the cost already read (null: none reported). */
  static void logReportedCost(String upstreamId, String model, Double cost) {
    if (cost != null && LOG.isDebugEnabled()) {
      LOG.debug("upstream reported cost {} USD for response {} (model {})", cost, upstreamId, model);
    }
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
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", Usage.orZero(u.reasoning())));
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }
}
