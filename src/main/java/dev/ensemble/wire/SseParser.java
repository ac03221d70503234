package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental parser for {@code text/event-stream} bodies (WHATWG server-sent events): accepts bytes in any
 * chunking, including a multi-byte UTF-8 character split across chunks, and LF, CRLF or CR line ends.
 * Comment lines ({@code : ping}) are skipped. Not thread-safe: one parser per stream.
 */
public final class SseParser {

  private byte[] pending = new byte[0];
  private String event;
  private String id;
  private StringBuilder data;
  private boolean skipLf;

  /** Parses the next bytes and returns the events they complete. */
  public List<SseEvent> feed(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    byte[] buf = concat(pending, bytes);
    List<SseEvent> out = new ArrayList<>(2);
    int lineStart = 0;
    for (int i = 0; i < buf.length; i++) {
      byte b = buf[i];
      if (skipLf) {
        skipLf = false;
        if (b == '\n') {
          lineStart = i + 1;
          continue;
        }
      }
      if (b == '\n' || b == '\r') {
        line(new String(buf, lineStart, i - lineStart, StandardCharsets.UTF_8), out);
        skipLf = b == '\r';
        lineStart = i + 1;
      }
    }
    pending = lineStart == 0 ? buf : java.util.Arrays.copyOfRange(buf, lineStart, buf.length);
    return out;
  }

  /** The stream ended: returns a last event that was not followed by a blank line, if any. */
  public List<SseEvent> finish() {
    List<SseEvent> out = new ArrayList<>(1);
    if (pending.length > 0) {
      line(new String(pending, StandardCharsets.UTF_8), out);
      pending = new byte[0];
    }
    dispatch(out);
    return out;
  }

  private void line(String line, List<SseEvent> out) {
    if (line.isEmpty()) {
      dispatch(out);
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> event = value;
      case "id" -> id = value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> { }
    }
  }

  private void dispatch(List<SseEvent> out) {
    if (data != null) {
      out.add(new SseEvent(event, data.toString(), id));
    }
    event = null;
    data = null;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0) {
      return b;
    }
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
