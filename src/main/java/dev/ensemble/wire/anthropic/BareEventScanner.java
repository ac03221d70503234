package dev.ensemble.wire.anthropic;

import dev.ensemble.wire.JsonScanner;

/**
 * Reads the small events of an Anthropic stream that carry nothing but their type and perhaps a block index —
 * {@code {"type":"content_block_stop","index":N}}, {@code {"type":"ping"}}, {@code {"type":"message_stop"}} — straight
 * from their UTF-8 bytes, checking they are strict JSON ({@link JsonScanner}'s grammar), so that the three of them a
 * stream has at least cost no tree each.
 *
 * <p>It gives up ({@code false}) unless it is sure the tree reading would see the same: a {@code type} other than the
 * event's SSE name, an {@code index} or {@code type} repeated, an index that is not a small non-negative integer, an
 * escaped field name, JSON it cannot accept; other fields are skipped, as the tree reading ignores them. The decoder
 * then reads the event as a tree, which decides as it always did (and words the errors). One scanner per decoder,
 * confined to the stream's event loop; it keeps a reference to the bytes only during {@link #read}.
 */
final class BareEventScanner extends JsonScanner {

  static final byte[] CONTENT_BLOCK_STOP = ascii("\"content_block_stop\"");
  static final byte[] PING = ascii("\"ping\"");
  static final byte[] MESSAGE_STOP = ascii("\"message_stop\"");
  private static final byte[] TYPE = ascii("type");
  private static final byte[] INDEX = ascii("index");
  private static final byte[][] FIELDS = {TYPE, INDEX};

  /** The event's {@code index}, -1 when it had none. */
  int index;

  /** Reads {@code data[offset, offset + length)}, an event whose type, quoted, is {@code type}; false: not read. */
  boolean read(byte[] data, int offset, int length, byte[] type) {
    index = -1;
    begin(data, offset, length);
    try {
      ws();
      expect('{');
      ws();
      int seen = 0;
      if (!next('}')) {
        do {
          int field = name(FIELDS);
          seen = once(seen, field);
          switch (field) {
            case 0 -> constant(type);
            case 1 -> index = smallInt();
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end;
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void constant(byte[] quoted) {
    if (end - pos < quoted.length) {
      throw GIVE_UP;
    }
    for (int k = 0; k < quoted.length; k++) {
      if (d[pos + k] != quoted[k]) {
        throw GIVE_UP;
      }
    }
    pos += quoted.length;
  }
}
