package dev.ensemble.persistence;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The line a {@link LocalResponseStore} segment holds per response: {@code <crc32 hex> <json>\n}, the checksum (eight
 * lower-case hex digits) over the JSON's bytes; a deleted response's line is overwritten by a tombstone of the same
 * length. Stateless.
 */
final class SegmentLine {

  /** The checksum's eight hex digits and a space, before the JSON. */
  static final int PREFIX = 9;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private SegmentLine() {
  }

  /** The JSON of a line {@code <crc32 hex> <json>\n}, or null when it is torn or its checksum does not match. */
  static JsonObject parse(byte[] line) {
    int n = line.length;
    if (n < 11 || line[8] != ' ' || line[n - 1] != '\n') {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(line, 9, n - 10);
    try {
      if (Long.parseLong(new String(line, 0, 8, StandardCharsets.US_ASCII), 16) != crc.getValue()) {
        return null;
      }
      return new JsonObject(new String(line, 9, n - 10, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** {@code json} framed as a line. */
  static byte[] line(byte[] json) {
    byte[] line = new byte[PREFIX + json.length + 1];
    System.arraycopy(json, 0, line, PREFIX, json.length);
    prefix(line, PREFIX + json.length, new CRC32());
    line[line.length - 1] = '\n';
    return line;
  }

  /**
   * Writes the checksum prefix ({@code <crc32 hex> }) into {@code line[0, PREFIX)} for the JSON at
   * {@code line[PREFIX, jsonEnd)}; {@code crc} is reset and used.
   */
  static void prefix(byte[] line, int jsonEnd, CRC32 crc) {
    crc.reset();
    crc.update(line, PREFIX, jsonEnd - PREFIX);
    long v = crc.getValue();
    for (int i = 7; i >= 0; i--) {
      line[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
    line[8] = ' ';
  }

  /** A line of exactly {@code length} bytes saying {@code id} is deleted (all spaces when the line is too short for it). */
  static byte[] tombstone(String id, int length) {
    byte[] json = new JsonObject().put("id", id).put("deleted", true).encode().getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[Math.max(0, length - 10)];
    Arrays.fill(body, (byte) ' ');
    if (json.length <= body.length) {
      System.arraycopy(json, 0, body, 0, json.length);
      return line(body);
    }
    byte[] blank = new byte[length];
    Arrays.fill(blank, (byte) ' ');
    blank[length - 1] = '\n';
    return blank;
  }
}
