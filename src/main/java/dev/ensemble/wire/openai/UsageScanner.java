package dev.ensemble.wire.openai;

import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonScanner;

import java.nio.charset.StandardCharsets;

/**
 * A {@link JsonScanner} that also reads OpenAI's {@code usage} object of token counts ({@link #usage}): the part of the
 * grammar the complete answer's scanner ({@link CompletionScanner}) and the stream chunk's ({@link ChunkScanner}) share.
 * It gives up, as they do, on anything but counts that are small non-negative integers or null, details objects of
 * them, and OpenRouter's {@code cost} as a number; the caller then reads the JSON as a tree.
 */
abstract class UsageScanner extends JsonScanner {

  private static final byte[] PROMPT_TOKENS = ascii("prompt_tokens");
  private static final byte[] COMPLETION_TOKENS = ascii("completion_tokens");
  private static final byte[] PROMPT_TOKENS_DETAILS = ascii("prompt_tokens_details");
  private static final byte[] COMPLETION_TOKENS_DETAILS = ascii("completion_tokens_details");
  private static final byte[] COST = ascii("cost");
  private static final byte[] CACHED_TOKENS = ascii("cached_tokens");
  private static final byte[] CACHE_WRITE_TOKENS = ascii("cache_write_tokens");
  private static final byte[] REASONING_TOKENS = ascii("reasoning_tokens");
  private static final byte[][] USAGE_FIELDS = {PROMPT_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS_DETAILS, COMPLETION_TOKENS_DETAILS, COST};
  private static final byte[][] PROMPT_DETAILS_FIELDS = {CACHED_TOKENS, CACHE_WRITE_TOKENS};
  private static final byte[][] COMPLETION_DETAILS_FIELDS = {REASONING_TOKENS};

  /** The counts of one {@code usage} object as read (null where not reported); {@link #present} once one was read. */
  static final class Counts {
    boolean present;
    Long promptTokens;
    Long completionTokens;
    Long cachedTokens;
    Long cacheWriteTokens;
    Long reasoningTokens;
    /** OpenRouter's {@code usage.cost} (USD), or null. */
    Double cost;

    /** The unified usage of these counts ({@link OpenAiUsage#of}). */
    Usage usage() {
      return OpenAiUsage.of(promptTokens, completionTokens, cachedTokens, cacheWriteTokens, reasoningTokens);
    }

    void clear() {
      present = false;
      promptTokens = completionTokens = cachedTokens = cacheWriteTokens = reasoningTokens = null;
      cost = null;
    }
  }

  /** Reads a {@code usage} value at the current position: null (nothing read) or an object of counts into {@code counts}. */
  protected final void usage(Counts counts) {
    if (peek() == 'n') {
      nullOnly();
      return;
    }
    expect('{');
    counts.present = true;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(USAGE_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> counts.promptTokens = count();
        case 1 -> counts.completionTokens = count();
        case 2 -> details(counts, PROMPT_DETAILS_FIELDS);
        case 3 -> details(counts, COMPLETION_DETAILS_FIELDS);
        case 4 -> counts.cost = cost();
        default -> skipValue(1);
      }
    } while (separator('}'));
  }

  private void details(Counts counts, byte[][] fields) {
    if (peek() == 'n') {
      nullOnly();
      return;
    }
    expect('{');
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(fields);
      seen = once(seen, field);
      if (field < 0) {
        skipValue(2);
      } else if (fields == PROMPT_DETAILS_FIELDS) {
        if (field == 0) {
          counts.cachedTokens = count();
        } else {
          counts.cacheWriteTokens = count();
        }
      } else {
        counts.reasoningTokens = count();
      }
    } while (separator('}'));
  }

  /** A token count: a non-negative integer of at most nine digits, or null; anything else gives up. */
  private Long count() {
    if (peek() == 'n') {
      nullOnly();
      return null;
    }
    return (long) smallInt();
  }

  /** OpenRouter's {@code usage.cost}: a number (as a double), or null; anything else gives up. */
  private Double cost() {
    byte b = peek();
    if (b == 'n') {
      nullOnly();
      return null;
    }
    if (b != '-' && (b < '0' || b > '9')) {
      throw GIVE_UP;
    }
    int start = pos;
    number();
    return Double.parseDouble(new String(d, start, pos - start, StandardCharsets.ISO_8859_1));
  }
}
