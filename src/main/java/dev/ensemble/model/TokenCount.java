package dev.ensemble.model;

import java.util.Map;

/**
 * How many tokens a prompt is, before it is sent: the answer of a count-tokens call (Gemini's {@code countTokens},
 * Anthropic's {@code count_tokens}), or the gateway's own estimate when the target has no such call.
 *
 * @param totalTokens  the whole prompt's tokens, cached ones included
 * @param cachedTokens the tokens of the prompt in a cached content, or null when none was named or reported
 * @param byModality   the prompt's tokens per modality ({@code TEXT}, {@code IMAGE}, ...) as the provider reported
 *                     them, in its order; empty when it reported none
 * @param estimated    true when the gateway estimated the count itself (four characters a token) instead of
 *                     asking the provider's tokenizer
 */
public record TokenCount(long totalTokens, Long cachedTokens, Map<String, Long> byModality, boolean estimated) {

  public TokenCount {
    byModality = byModality == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byModality));
  }

  /** The gateway's own estimate of {@code tokens}. */
  public static TokenCount estimate(long tokens) {
    return new TokenCount(tokens, null, Map.of(), true);
  }
}
