package dev.ensemble.wire.anthropic;

import dev.ensemble.wire.JsonScanner;

/**
 * Finds where the message's {@code id} and {@code model} strings lie in a {@code message_start} event — {@code
 * {"type":"message_start","message":{"id":"msg_...",...,"model":"claude-...",...}}} — for the pass-through to splice
 * the gateway's in their place ({@link EventSplice}), checking the whole event is strict JSON as it goes
 * ({@link JsonScanner}'s grammar). It decodes nothing: the decoder reads the event's values (usage above all) from its
 * tree, as before.
 *
 * <p>It gives up ({@code false}) when it cannot be sure the spans are the values the tree reading sees: {@code message}
 * or either field missing or repeated, a value that is not a string, an escaped field name, JSON it cannot accept.
 * The pass-through then renders the event from the tree with the gateway's values. One scanner per decoder, confined
 * to the stream's event loop; it keeps a reference to the bytes only during {@link #read}.
 */
final class MessageStartScanner extends JsonScanner {

  private static final byte[] MESSAGE = ascii("message");
  private static final byte[] ID = ascii("id");
  private static final byte[] MODEL = ascii("model");
  private static final byte[][] EVENT_FIELDS = {MESSAGE};
  private static final byte[][] MESSAGE_FIELDS = {ID, MODEL};

  int idStart;
  int idEnd;
  int modelStart;
  int modelEnd;

  /** Reads {@code data[offset, offset + length)}; true when both spans were found (absolute positions in {@code data}). */
  boolean read(byte[] data, int offset, int length) {
    idStart = idEnd = modelStart = modelEnd = -1;
    begin(data, offset, length);
    try {
      ws();
      expect('{');
      int seen = 0;
      if (!next('}')) {
        do {
          name();
          int field = field(EVENT_FIELDS);
          seen = once(seen, field);
          if (field == 0) {
            message();
          } else {
            skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end && idStart >= 0 && modelStart >= 0;
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void message() {
    expect('{');
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      name();
      int field = field(MESSAGE_FIELDS);
      seen = once(seen, field);
      if (field < 0) {
        skipValue(1);
        continue;
      }
      if (peek() != '"') {
        throw GIVE_UP;
      }
      int start = pos;
      pos = stringEnd(pos);
      if (field == 0) {
        idStart = start;
        idEnd = pos;
      } else {
        modelStart = start;
        modelEnd = pos;
      }
    } while (separator('}'));
  }
}
