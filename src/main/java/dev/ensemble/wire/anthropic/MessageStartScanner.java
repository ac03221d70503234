package dev.ensemble.wire.anthropic;

import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonScanner;

/**
 * Reads the usual {@code message_start} event — {@code {"type":"message_start","message":{"id":"msg_...",...,"model":
 * "claude-...",...,"usage":{...}}}} — straight from its UTF-8 bytes ({@link JsonScanner}'s grammar, the whole event checked
 * as strict JSON as it goes): the message's {@code id}, {@code model} and usage counts ({@link UsageScanner}) as the
 * decoder's tree reading reads them, and where the id and model strings lie, for the pass-through to splice the
 * gateway's in their place ({@link EventSplice}).
 *
 * <p>It gives up ({@code false}) when it cannot be sure it reads what the tree reading reads: {@code message} or either
 * field missing or repeated, a value that is not a string, a usage it does not read, an escaped field name, JSON it
 * cannot accept. The decoder then reads the event as a tree (and the pass-through renders it from the tree with the
 * gateway's values). One scanner per decoder, confined to the stream's event loop; it keeps a reference to the bytes
 * only during {@link #read}.
 */
final class MessageStartScanner extends UsageScanner {

  private static final byte[] MESSAGE = ascii("message");
  private static final byte[] ID = ascii("id");
  private static final byte[] MODEL = ascii("model");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[][] EVENT_FIELDS = {MESSAGE};
  private static final byte[][] MESSAGE_FIELDS = {ID, MODEL, USAGE};

  int idStart;
  int idEnd;
  int modelStart;
  int modelEnd;
  String id;
  String model;
  Usage usage;

  /** Reads {@code data[offset, offset + length)}; true when it was read, both spans found (absolute positions in {@code data}). */
  boolean read(byte[] data, int offset, int length) {
    idStart = idEnd = modelStart = modelEnd = -1;
    id = model = null;
    usage = Usage.UNKNOWN;
    begin(data, offset, length);
    try {
      ws();
      expect('{');
      int seen = 0;
      if (!next('}')) {
        do {
          int field = name(EVENT_FIELDS);
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
      int field = name(MESSAGE_FIELDS);
      seen = once(seen, field);
      if (field < 0) {
        skipValue(1);
        continue;
      }
      if (field == 2) {
        usage = usage(1);
        continue;
      }
      if (peek() != '"') {
        throw GIVE_UP;
      }
      int start = pos;
      pos = stringEnd(pos);
      String value = decode(start + 1, pos - 1);
      if (field == 0) {
        idStart = start;
        idEnd = pos;
        id = value;
      } else {
        modelStart = start;
        modelEnd = pos;
        model = value;
      }
    } while (separator('}'));
  }
}
