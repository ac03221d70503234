package dev.ensemble.wire.anthropic;

import dev.ensemble.wire.JsonScanner;

/**
 * Reads the usual {@code content_block_start} event — {@code {"type":"content_block_start","index":N,"content_block":
 * {"type":"text","text":""}}}, a {@code thinking} or {@code tool_use} block's start (its {@code input} empty, as
 * Anthropic streams it), or a block the decoder skips — straight from its UTF-8 bytes ({@link JsonScanner}'s grammar,
 * the whole event checked as strict JSON as it goes), decoding the few strings the unified events carry. The event's
 * {@code type} is not read: the decoder goes by the SSE event's name, as its tree reading does.
 *
 * <p>It gives up ({@code false}) unless it is sure the tree reading would see the same: the index or the block
 * missing, an index that is not a small non-negative integer, a block without a string {@code type}, a tool call
 * without its id or name or with a non-empty {@code input} (which the tree reading re-encodes), a known field of the
 * unexpected type or repeated, an escaped field name, JSON it cannot accept. The decoder then reads the event as a
 * tree, which decides as it always did (and words the errors). One scanner per decoder, confined to the stream's event
 * loop; it keeps a reference to the bytes only during {@link #read}.
 */
final class BlockStartScanner extends UsageScanner {

  private static final byte[][] EVENT_FIELDS = {ascii("index"), ascii("content_block")};
  private static final byte[][] BLOCK_FIELDS = {ascii("type"), ascii("text"), ascii("thinking"), ascii("signature"), ascii("id"),
      ascii("name"), ascii("input")};

  int index;
  String type;
  String text;
  String thinking;
  String signature;
  String id;
  String name;

  /** Reads {@code data[offset, offset + length)}; false: not read (the fields may be partly filled), to be read as a tree. */
  boolean read(byte[] data, int offset, int length) {
    index = -1;
    type = text = thinking = signature = id = name = null;
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
            case 0 -> index = smallInt();
            case 1 -> block();
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end && index >= 0 && type != null && (!"tool_use".equals(type) || (id != null && name != null));
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void block() {
    expect('{');
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(BLOCK_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> type = stringValue();
        case 1 -> text = stringValue();
        case 2 -> thinking = stringValue();
        case 3 -> signature = stringValue();
        case 4 -> id = stringValue();
        case 5 -> name = stringValue();
        case 6 -> emptyInput();
        default -> skipValue(1);
      }
    } while (separator('}'));
  }

  /** A tool call's {@code input} as it starts a stream: {@code {}} or null; anything else gives up. */
  private void emptyInput() {
    if (peek() == 'n') {
      nullOnly();
      return;
    }
    expect('{');
    ws();
    expect('}');
  }
}
