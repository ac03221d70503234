package dev.ensemble.wire.anthropic;

import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonScanner;

/**
 * Reads the usual {@code message_delta} event — {@code {"type":"message_delta","delta":{"stop_reason":"end_turn",
 * "stop_sequence":null},"usage":{"output_tokens":N,...}}} — straight from its UTF-8 bytes ({@link JsonScanner}'s grammar,
 * the whole event checked as strict JSON as it goes): the stop reason and sequence, and the usage counts
 * ({@link UsageScanner}), as the decoder's tree reading reads them. The event's {@code type} is not read: the decoder
 * goes by the SSE event's name, as its tree reading does.
 *
 * <p>It gives up ({@code false}) on anything it is not sure of: a {@code delta} or {@code usage} that is neither an
 * object nor null, a stop reason or sequence that is not a string, a usage it does not read, a known field repeated,
 * an escaped field name, JSON it cannot accept. The decoder then reads the event as a tree, which decides as it always
 * did (and words the errors). One scanner per decoder, confined to the stream's event loop; it keeps a reference to
 * the bytes only during {@link #read}.
 */
final class MessageDeltaScanner extends UsageScanner {

  private static final byte[][] EVENT_FIELDS = {ascii("delta"), ascii("usage")};
  private static final byte[][] DELTA_FIELDS = {ascii("stop_reason"), ascii("stop_sequence")};

  String stopReason;
  String stopSequence;
  Usage usage;

  /** Reads {@code data[offset, offset + length)}; false: not read (the fields may be partly filled), to be read as a tree. */
  boolean read(byte[] data, int offset, int length) {
    stopReason = stopSequence = null;
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
          switch (field) {
            case 0 -> delta();
            case 1 -> usage = usage(0);
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

  private void delta() {
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
      int field = name(DELTA_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> stopReason = stringValue();
        case 1 -> stopSequence = stringValue();
        default -> skipValue(1);
      }
    } while (separator('}'));
  }
}
