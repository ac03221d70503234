package dev.ensemble.wire.gemini;

import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;

/**
 * Gemini {@code usageMetadata}. {@code promptTokenCount} INCLUDES {@code cachedContentTokenCount}, so the
 * unified input is prompt - cached (plus {@code toolUsePromptTokenCount}, billed as input) and cacheRead is
 * the cached count. Output is {@code candidatesTokenCount + thoughtsTokenCount}: thinking is billed as output,
 * and {@code thoughtsTokenCount} is also its reasoning breakdown.
 * Gemini leaves zero counts out of its JSON, so a missing count in a reported usage is zero; Gemini reports no
 * cache writes (implicit caching charges none), so cacheWrite stays null.
 */
final class GeminiUsage {

  private GeminiUsage() {
  }

  static Usage decode(JsonObject metadata) {
    if (metadata == null) {
      return Usage.UNKNOWN;
    }
    Long prompt = UpstreamJson.number(metadata, "promptTokenCount");
    long cached = orZero(UpstreamJson.number(metadata, "cachedContentTokenCount"));
    long toolPrompt = orZero(UpstreamJson.number(metadata, "toolUsePromptTokenCount"));
    Long candidates = UpstreamJson.number(metadata, "candidatesTokenCount");
    Long thoughts = UpstreamJson.number(metadata, "thoughtsTokenCount");
    Long input = prompt == null ? null : Math.max(0L, prompt - cached) + toolPrompt;
    Long output = candidates == null && thoughts == null && prompt == null ? null : orZero(candidates) + orZero(thoughts);
    return new Usage(input, output, prompt == null ? null : cached, null, thoughts);
  }

  private static long orZero(Long value) {
    return value == null ? 0L : value;
  }
}
