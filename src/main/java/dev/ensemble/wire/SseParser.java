package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental parser for {@code text/event-stream} bodies (WHATWG server-sent events): accepts bytes in any
 * chunking, including a multi-byte UTF-8 character split across chunks, and LF, CRLF or CR line ends.
 * Comment lines ({@code : ping}) are skipped. Not thread-safe: one parser per stream.
 *
 * <p>Works on bytes: each chunk is copied out of its buffer once, and an event's data is handed to
 * {@link Events} as a slice of that copy, so a decoder can read the JSON straight from it. Bytes are copied again
 * only when a line spans chunks (the line's start is carried to the next chunk) or an event has several
 * {@code data:} lines (they are joined). Line ends are looked for eight bytes at a time.
 */
public final class SseParser {

  /** Receives each complete event. */
  @FunctionalInterface
  public interface Events {

    /**
     * One event: its {@code event:} name (null when it had none) and its data, UTF-8, in {@code data[offset,
     * offset + length)}; the array is only valid during the call.
     */
    void event(String event, byte[] data, int offset, int length);
  }

  private static final byte[] EMPTY = new byte[0];
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
  private static final long CRS = 0x0D0D0D0D0D0D0D0DL;

  /** The start of a line whose end has not arrived yet. */
  private byte[] carry = EMPTY;
  private int carryLength;
  private boolean skipLf;
  private String event;
  private String id;
  /** The event's data when it is one slice of a chunk (the usual single {@code data:} line); no copy. */
  private byte[] dataArray;
  private int dataOffset;
  private int dataLength = -1;
  /** Set once an event has a second data line, or its line came from {@link #carry}: the joined copy. */
  private byte[] joined;
  private int joinedLength;

  /** Parses the next bytes, handing each event they complete to {@code events}. */
  public void feed(Buffer chunk, Events events) {
    feed(chunk.getBytes(), events);
  }

  /** As {@link #feed(Buffer, Events)}, for bytes the caller hands over (the parser may keep a reference). */
  public void feed(byte[] buf, Events events) {
    int lineStart = 0;
    int i = 0;
    if (skipLf && buf.length > 0) {
      skipLf = false;
      if (buf[0] == '\n') {
        lineStart = i = 1;
      }
    }
    for (; (i = lineEnd(buf, i)) < buf.length; i++) {
      byte b = buf[i];
      if (carryLength > 0) {
        append(buf, lineStart, i - lineStart);
        line(carry, 0, carryLength, true, events);
        carryLength = 0;
      } else {
        line(buf, lineStart, i - lineStart, false, events);
      }
      if (b == '\r') {
        if (i + 1 < buf.length) {
          if (buf[i + 1] == '\n') {
            i++;
          }
        } else {
          skipLf = true;
        }
      }
      lineStart = i + 1;
    }
    if (lineStart < buf.length) {
      append(buf, lineStart, buf.length - lineStart);
    }
  }

  /** The index of the first CR or LF in {@code buf} from {@code from}, or the array's length when there is none. */
  static int lineEnd(byte[] buf, int from) {
    int i = from;
    for (int last = buf.length - 8; i <= last; i += 8) {
      long word = (long) LONGS.get(buf, i);
      long lf = word ^ LFS;
      long cr = word ^ CRS;
      // a byte's high bit is set where that byte is zero in lf or cr (and, past the first such byte, maybe elsewhere)
      long found = ((lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < buf.length; i++) {
      if (buf[i] == '\n' || buf[i] == '\r') {
        return i;
      }
    }
    return buf.length;
  }

  /** The stream ended: hands over a last event that was not followed by a blank line, if any. */
  public void finish(Events events) {
    if (carryLength > 0) {
      line(carry, 0, carryLength, true, events);
      carryLength = 0;
    }
    dispatch(events);
  }

  /** Parses the next bytes and returns the events they complete, their data decoded as strings. */
  public List<SseEvent> feed(Buffer chunk) {
    List<SseEvent> out = new ArrayList<>(2);
    feed(chunk, collector(out));
    return out;
  }

  /** The stream ended: returns a last event that was not followed by a blank line, if any. */
  public List<SseEvent> finish() {
    List<SseEvent> out = new ArrayList<>(1);
    finish(collector(out));
    return out;
  }

  private Events collector(List<SseEvent> out) {
    return (name, data, offset, length) -> out.add(new SseEvent(name, new String(data, offset, length, StandardCharsets.UTF_8), id));
  }

  private void append(byte[] bytes, int offset, int length) {
    if (carryLength + length > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(256, Math.max(carryLength + length, carry.length * 2)));
    }
    System.arraycopy(bytes, offset, carry, carryLength, length);
    carryLength += length;
  }

  /** One line, without its end; {@code reused}: the array is {@link #carry}, overwritten by the next lines. */
  private void line(byte[] buf, int start, int length, boolean reused, Events events) {
    if (length == 0) {
      dispatch(events);
      return;
    }
    if (buf[start] == ':') {
      return;
    }
    int end = start + length;
    int colon = start;
    while (colon < end && buf[colon] != ':') {
      colon++;
    }
    int valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && buf[valueStart] == ' ') {
      valueStart++;
    }
    int fieldLength = colon - start;
    if (is(buf, start, fieldLength, 'd', 'a', 't', 'a')) {
      data(buf, valueStart, end - valueStart, reused);
    } else if (is(buf, start, fieldLength, 'e', 'v', 'e', 'n', 't')) {
      event = new String(buf, valueStart, end - valueStart, StandardCharsets.UTF_8);
    } else if (is(buf, start, fieldLength, 'i', 'd')) {
      id = new String(buf, valueStart, end - valueStart, StandardCharsets.UTF_8);
    }
  }

  private void data(byte[] buf, int offset, int length, boolean reused) {
    boolean more = dataLength >= 0 || joined != null;
    if (!more && !reused) {
      dataArray = buf;
      dataOffset = offset;
      dataLength = length;
      return;
    }
    if (joined == null) {
      joined = new byte[Math.max(64, (dataLength < 0 ? 0 : dataLength + 1) + length)];
      joinedLength = 0;
      if (dataLength >= 0) {
        System.arraycopy(dataArray, dataOffset, joined, 0, dataLength);
        joinedLength = dataLength;
        dataArray = null;
        dataLength = -1;
      }
    }
    int needed = joinedLength + (more ? 1 : 0) + length;
    if (needed > joined.length) {
      joined = Arrays.copyOf(joined, Math.max(needed, joined.length * 2));
    }
    if (more) {
      joined[joinedLength++] = '\n';
    }
    System.arraycopy(buf, offset, joined, joinedLength, length);
    joinedLength += length;
  }

  private void dispatch(Events events) {
    String name = event;
    event = null;
    if (joined != null) {
      byte[] bytes = joined;
      int length = joinedLength;
      joined = null;
      joinedLength = 0;
      events.event(name, bytes, 0, length);
    } else if (dataLength >= 0) {
      byte[] bytes = dataArray;
      int length = dataLength;
      dataArray = null;
      dataLength = -1;
      events.event(name, bytes, dataOffset, length);
    }
  }

  /** The last {@code id:} seen (it carries over to later events, as in the WHATWG model). */
  public String lastId() {
    return id;
  }

  private static boolean is(byte[] buf, int start, int length, char... name) {
    if (length != name.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (buf[start + i] != name[i]) {
        return false;
      }
    }
    return true;
  }
}
