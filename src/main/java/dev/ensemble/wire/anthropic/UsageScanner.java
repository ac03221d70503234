package dev.ensemble.wire.anthropic;

import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonScanner;

/**
 * A {@link JsonScanner} that also reads Anthropic's {@code usage} object of token counts as {@link UsageFields#read}
 * reads its tree: the four counts the unified usage carries, as small non-negative integers or null, every other
 * field skipped. It gives up on anything else (a count as a string, a float, negative or past nine digits, a count
 * repeated); the caller then reads the JSON as a tree, which decides as it always did.
 */
abstract class UsageScanner extends JsonScanner {

  private static final byte[][] USAGE_FIELDS = {ascii("input_tokens"), ascii("output_tokens"), ascii("cache_read_input_tokens"),
      ascii("cache_creation_input_tokens")};

  /** The {@code usage} value at the current position, {@code depth} levels down: null is {@link Usage#UNKNOWN}. */
  protected final Usage usage(int depth) {
    if (peek() == 'n') {
      nullOnly();
      return Usage.UNKNOWN;
    }
    expect('{');
    ws();
    if (next('}')) {
      return Usage.UNKNOWN;
    }
    Long input = null;
    Long output = null;
    Long cacheRead = null;
    Long cacheWrite = null;
    int seen = 0;
    do {
      int field = name(USAGE_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> input = count();
        case 1 -> output = count();
        case 2 -> cacheRead = count();
        case 3 -> cacheWrite = count();
        default -> skipValue(depth + 1);
      }
    } while (separator('}'));
    return new Usage(input, output, cacheRead, cacheWrite);
  }

  /** A token count: a non-negative integer of at most nine digits, or null; anything else gives up. */
  protected final Long count() {
    if (peek() == 'n') {
      nullOnly();
      return null;
    }
    return (long) smallInt();
  }

  /** A string value, decoded, or null; anything else gives up. */
  protected final String stringValue() {
    byte b = peek();
    if (b != '"' && b != 'n') {
      throw GIVE_UP;
    }
    return stringOrNull(true);
  }
}
