package dev.ensemble.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;

/**
 * The constant runs of a stored stream event's JSON, encoded once and copied into the generator's buffer in one write
 * each ({@link JsonGenerator#writeRaw(SerializableString)}) instead of a field name and a value at a time: the head of a
 * block event ({@code "type":"block.delta","index":0,} — its type and its block's index, for the first
 * {@value #INDEXES} blocks) and the tail of any event ({@code ,"seq":5}, for the first {@value #SEQS} events). The bytes
 * are the same as those the generator writes field by field ({@link RecordEvents#write}); a larger index or seq is
 * written so.
 *
 * <p>A raw head leaves the generator's object context as it was after {@code writeStartObject()} (no field yet): it
 * ends with a comma, so the generator writes the next field name without one. A raw tail follows a value the generator
 * wrote. Immutable constants; stateless.
 */
final class EventHeads {

  static final int INDEXES = 64;
  static final int SEQS = 4096;

  private static final SerializableString[] DELTA = heads("block.delta");
  private static final SerializableString[] START = heads("block.start");
  private static final SerializableString[] STOP = heads("block.stop");
  private static final SerializableString[] TAIL = new SerializableString[SEQS];

  static {
    for (int seq = 0; seq < SEQS; seq++) {
      TAIL[seq] = raw(",\"seq\":" + seq);
    }
  }

  private EventHeads() {
  }

  /** {@code "type":"block.delta","index":<index>}; true when written raw (the generator has no field of the object yet). */
  static boolean delta(JsonGenerator g, int index) throws IOException {
    return head(g, DELTA, JsonNames.BLOCK_DELTA, index);
  }

  /** {@code "type":"block.start","index":<index>}; true when written raw. */
  static boolean start(JsonGenerator g, int index) throws IOException {
    return head(g, START, JsonNames.BLOCK_START, index);
  }

  /** {@code "type":"block.stop","index":<index>}; true when written raw. */
  static boolean stop(JsonGenerator g, int index) throws IOException {
    return head(g, STOP, JsonNames.BLOCK_STOP, index);
  }

  /**
   * {@code "seq":<seq>} as the object's last field; {@code open} when the generator has written none of the object's
   * fields yet (a raw head ended with the comma).
   */
  static void seq(JsonGenerator g, int seq, boolean open) throws IOException {
    if (!open && seq >= 0 && seq < SEQS) {
      g.writeRaw(TAIL[seq]);
    } else {
      g.writeFieldName(JsonNames.SEQ);
      g.writeNumber(seq);
    }
  }

  private static boolean head(JsonGenerator g, SerializableString[] heads, SerializableString type, int index) throws IOException {
    if (index >= 0 && index < INDEXES) {
      g.writeRaw(heads[index]);
      return true;
    }
    g.writeFieldName(JsonNames.TYPE);
    g.writeString(type);
    g.writeFieldName(JsonNames.INDEX);
    g.writeNumber(index);
    return false;
  }

  private static SerializableString[] heads(String type) {
    SerializableString[] heads = new SerializableString[INDEXES];
    for (int index = 0; index < INDEXES; index++) {
      heads[index] = raw("\"type\":\"" + type + "\",\"index\":" + index + ",");
    }
    return heads;
  }

  private static SerializableString raw(String json) {
    SerializedString s = new SerializedString(json);
    s.asUnquotedUTF8(); // encoded now, not on the first write
    return s;
  }
}
