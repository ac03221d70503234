package dev.ensemble.wire.anthropic;

import dev.ensemble.wire.JsonScanner;

/**
 * Reads the usual {@code content_block_delta} event — {@code {"type":"content_block_delta","index":N,"delta":{"type":
 * "text_delta","text":"..."}}}, or a {@code thinking_delta}, {@code input_json_delta} or {@code signature_delta} —
 * straight from its UTF-8 bytes into the decoder's {@link AnthropicStreamDecoder.Delta}, in one pass ({@link JsonScanner}'s
 * grammar, strict JSON checked while it reads), decoding only the delta's string.
 *
 * <p>It gives up ({@code false}) on everything else: another event type, a delta of another kind, a field of the
 * unexpected type or repeated, a field name with an escape, an index past nine digits, JSON it cannot accept. The
 * decoder then reads the event as a tree, which decides as it always did (and words the errors). One scanner per
 * decoder, confined to the stream's event loop; it keeps a reference to the bytes only during {@link #read}.
 */
final class DeltaScanner extends JsonScanner {

  private static final byte[] TYPE = ascii("type");
  private static final byte[] INDEX = ascii("index");
  private static final byte[] DELTA = ascii("delta");
  private static final byte[] TEXT = ascii("text");
  private static final byte[] PARTIAL_JSON = ascii("partial_json");
  private static final byte[] THINKING = ascii("thinking");
  private static final byte[] SIGNATURE = ascii("signature");
  private static final byte[] CONTENT_BLOCK_DELTA = ascii("\"content_block_delta\"");
  private static final byte[][] EVENT_FIELDS = {TYPE, INDEX, DELTA};
  private static final byte[][] DELTA_FIELDS = {TYPE, TEXT, PARTIAL_JSON, THINKING, SIGNATURE};
  /** The delta kinds, in the order of the fields that carry their value in {@link #DELTA_FIELDS} (1 to 4). */
  private static final byte[][] KINDS = {ascii("\"text_delta\""), ascii("\"input_json_delta\""), ascii("\"thinking_delta\""),
      ascii("\"signature_delta\"")};
  private static final String[] KIND_NAMES = {"text_delta", "input_json_delta", "thinking_delta", "signature_delta"};

  private final String[] values = new String[4];

  /**
   * Reads {@code data[offset, offset + length)} into {@code delta} (cleared by the caller). False: not read (the delta
   * may be partly filled), to be read as a tree.
   */
  boolean read(byte[] data, int offset, int length, AnthropicStreamDecoder.Delta delta) {
    begin(data, offset, length);
    try {
      ws();
      expect('{');
      int seen = 0;
      if (!next('}')) {
        do {
          int field = name(EVENT_FIELDS);
          seen = once(seen, field);
          switch (field) {
            case 0 -> {
              constant(CONTENT_BLOCK_DELTA);
              delta.typed = true;
            }
            case 1 -> delta.index = smallInt();
            case 2 -> delta(delta);
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end && delta.typed && delta.index >= 0 && delta.value != null;
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void delta(AnthropicStreamDecoder.Delta delta) {
    expect('{');
    ws();
    java.util.Arrays.fill(values, null);
    int kind = -1;
    if (!next('}')) {
      int seen = 0;
      do {
        int field = name(DELTA_FIELDS);
        seen = once(seen, field);
        if (field == 0) {
          kind = kind();
        } else if (field > 0) {
          if (peek() != '"') {
            throw GIVE_UP;
          }
          values[field - 1] = stringOrNull(true);
        } else {
          skipValue(1);
        }
      } while (separator('}'));
    }
    if (kind < 0 || values[kind] == null) {
      throw GIVE_UP;
    }
    delta.type = KIND_NAMES[kind];
    delta.value = values[kind];
  }

  /** Which of the four delta kinds the string at {@link #pos} names; anything else gives up. */
  private int kind() {
    for (int k = 0; k < KINDS.length; k++) {
      if (at(KINDS[k])) {
        pos += KINDS[k].length;
        return k;
      }
    }
    throw GIVE_UP;
  }

  /** The exact bytes {@code quoted} (a string without escapes) at {@link #pos}; anything else gives up. */
  private void constant(byte[] quoted) {
    if (!at(quoted)) {
      throw GIVE_UP;
    }
    pos += quoted.length;
  }

  private boolean at(byte[] bytes) {
    if (end - pos < bytes.length) {
      return false;
    }
    for (int k = 0; k < bytes.length; k++) {
      if (d[pos + k] != bytes[k]) {
        return false;
      }
    }
    return true;
  }
}
