package dev.ensemble.persistence;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The crash journal's line encoder as every version before {@link JournalLine} had it (a wrapper {@code JsonObject}
 * encoded to a String, its UTF-8 bytes, the checksum's hex by {@code String.format}): what files already on disk hold,
 * and the reference the new encoder's lines must equal byte for byte.
 */
final class LegacyJournalLine {

  private LegacyJournalLine() {
  }

  /** The line of a record: {@code {"k": kind, "id": id, "b": body}}, body left out when null. */
  static byte[] of(String kind, String id, JsonObject body) {
    JsonObject json = new JsonObject().put("k", kind).put("id", id);
    if (body != null) {
      json.put("b", body);
    }
    return of(json);
  }

  static byte[] of(JsonObject json) {
    byte[] body = json.encode().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    byte[] line = new byte[9 + body.length + 1];
    byte[] hex = String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(hex, 0, line, 0, 9);
    System.arraycopy(body, 0, line, 9, body.length);
    line[line.length - 1] = '\n';
    return line;
  }
}
