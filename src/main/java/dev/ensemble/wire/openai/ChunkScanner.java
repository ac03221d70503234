package dev.ensemble.wire.openai;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the usual {@code chat.completion.chunk} — an envelope and one choice with a text, reasoning, refusal or
 * tool-call delta and perhaps a finish reason — straight from its UTF-8 bytes into the decoder's
 * {@link OpenAiStreamDecoder.Chunk}, in one pass and without a parser object, field-name table or value objects
 * beyond the strings the unified events carry. It checks the whole chunk is strict JSON (RFC 8259: no comments,
 * no trailing commas, escapes and UTF-8 well formed) while it reads.
 *
 * <p>It reads only what it is sure of and gives up ({@code false}) on everything else: an {@code error} or
 * {@code usage} object, a field of the unexpected type, a field the chunk repeats, an escape in a field name, JSON it
 * cannot accept, a number or string past its limits. The decoder then reads the chunk again with Jackson, which
 * decides as it always did (so the errors and odd cases keep their one implementation). One scanner per decoder,
 * confined to the stream's event loop; it keeps a reference to the bytes only during {@link #read}.
 */
final class ChunkScanner {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
  private static final long SPACES = 0x2020202020202020L;
  private static final int MAX_DEPTH = 64;
  private static final int MAX_NUMBER = 100;

  private static final byte[] ID = ascii("id");
  private static final byte[] MODEL = ascii("model");
  private static final byte[] CREATED = ascii("created");
  private static final byte[] CHOICES = ascii("choices");
  private static final byte[] ERROR = ascii("error");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[] DELTA = ascii("delta");
  private static final byte[] FINISH_REASON = ascii("finish_reason");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] REASONING_CONTENT = ascii("reasoning_content");
  private static final byte[] REFUSAL = ascii("refusal");
  private static final byte[] TOOL_CALLS = ascii("tool_calls");
  private static final byte[] INDEX = ascii("index");
  private static final byte[] FUNCTION = ascii("function");
  private static final byte[] NAME = ascii("name");
  private static final byte[] ARGUMENTS = ascii("arguments");
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final byte[][] CHUNK_FIELDS = {ID, MODEL, CREATED, CHOICES, ERROR, USAGE};
  private static final byte[][] CHOICE_FIELDS = {DELTA, FINISH_REASON};
  private static final byte[][] DELTA_FIELDS = {CONTENT, REASONING_CONTENT, REFUSAL, TOOL_CALLS};
  private static final byte[][] TOOL_CALL_FIELDS = {INDEX, ID, FUNCTION};
  private static final byte[][] FUNCTION_FIELDS = {NAME, ARGUMENTS};

  /** Thrown to give up: the chunk goes to Jackson. Preallocated, without a stack trace. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  private static final GiveUp GIVE_UP = new GiveUp();

  private byte[] d;
  private int pos;
  private int end;
  /** Set by {@link #stringEnd}: the string had an escape / a byte outside ASCII. */
  private boolean escaped;
  private boolean wide;
  private int nameStart;
  private int nameEnd;
  private char[] chars = new char[64];

  /**
   * Reads {@code data[offset, offset + length)} into {@code chunk} (cleared by the caller); the chunk's {@code id} and
   * {@code model} strings only with {@code idAndModel} (their places in the bytes always). False: not read (the chunk
   * may be partly filled), to be read by Jackson.
   */
  boolean read(byte[] data, int offset, int length, OpenAiStreamDecoder.Chunk chunk, boolean idAndModel) {
    d = data;
    pos = offset;
    end = offset + length;
    try {
      ws();
      expect('{');
      int seen = 0;
      if (!next('}')) {
        do {
          name();
          int field = field(CHUNK_FIELDS);
          seen = once(seen, field);
          switch (field) {
            case 0 -> {
              chunk.idStart = pos;
              chunk.id = stringOrNull(idAndModel);
              chunk.idEnd = pos;
            }
            case 1 -> {
              chunk.modelStart = pos;
              chunk.model = stringOrNull(idAndModel);
              chunk.modelEnd = pos;
            }
            case 2 -> created(chunk);
            case 3 -> choices(chunk);
            case 4, 5 -> nullOnly();
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end;
    } catch (GiveUp e) {
      return false;
    } finally {
      d = null;
    }
  }

  private void created(OpenAiStreamDecoder.Chunk chunk) {
    int start = pos;
    byte b = peek();
    if (b == '-' || (b >= '0' && b <= '9')) {
      if (number()) {
        chunk.createdStart = start;
        chunk.createdEnd = pos;
      }
    } else {
      skipValue(0);
    }
  }

  private void choices(OpenAiStreamDecoder.Chunk chunk) {
    if (peek() != '[') {
      skipValue(0);
      return;
    }
    pos++;
    ws();
    if (next(']')) {
      return;
    }
    if (peek() != '{') {
      throw GIVE_UP;
    }
    chunk.hasChoice = true;
    choice(chunk);
    while (separator(']')) {
      skipValue(1);
    }
  }

  private void choice(OpenAiStreamDecoder.Chunk chunk) {
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      name();
      int field = field(CHOICE_FIELDS);
      seen = once(seen, field);
      if (field == 0 && peek() == '{') {
        chunk.hasDelta = true;
        delta(chunk);
      } else if (field == 1) {
        chunk.finish = stringOrNull(true);
      } else {
        skipValue(2);
      }
    } while (separator('}'));
  }

  private void delta(OpenAiStreamDecoder.Chunk chunk) {
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      name();
      int field = field(DELTA_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> chunk.content = stringOrNull(true);
        case 1 -> chunk.reasoning = stringOrNull(true);
        case 2 -> chunk.refusal = stringOrNull(true);
        case 3 -> toolCalls(chunk);
        default -> skipValue(3);
      }
    } while (separator('}'));
  }

  private void toolCalls(OpenAiStreamDecoder.Chunk chunk) {
    if (peek() != '[') {
      skipValue(3);
      return;
    }
    pos++;
    ws();
    if (next(']')) {
      return;
    }
    int position = 0;
    do {
      if (peek() != '{') {
        throw GIVE_UP;
      }
      OpenAiStreamDecoder.ToolCall call = new OpenAiStreamDecoder.ToolCall(position++);
      toolCall(call);
      chunk.toolCalls.add(call);
    } while (separator(']'));
  }

  private void toolCall(OpenAiStreamDecoder.ToolCall call) {
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      name();
      int field = field(TOOL_CALL_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> call.index = smallInt();
        case 1 -> call.id = stringOrNull(true);
        case 2 -> function(call);
        default -> skipValue(5);
      }
    } while (separator('}'));
  }

  private void function(OpenAiStreamDecoder.ToolCall call) {
    if (peek() != '{') {
      skipValue(5);
      return;
    }
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      name();
      int field = field(FUNCTION_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> call.name = stringOrNull(true);
        case 1 -> call.arguments = stringOrNull(true);
        default -> skipValue(6);
      }
    } while (separator('}'));
  }

  // --- the grammar ---

  /** A field name (no escapes) and its colon; leaves {@link #pos} at its value. */
  private void name() {
    ws();
    if (peek() != '"') {
      throw GIVE_UP;
    }
    int close = stringEnd(pos);
    if (escaped) {
      throw GIVE_UP;
    }
    nameStart = pos + 1;
    nameEnd = close - 1;
    pos = close;
    ws();
    expect(':');
    ws();
  }

  /** Which of {@code names} the last field name is, or -1. */
  private int field(byte[][] names) {
    int length = nameEnd - nameStart;
    for (int i = 0; i < names.length; i++) {
      byte[] name = names[i];
      if (name.length == length && same(name)) {
        return i;
      }
    }
    return -1;
  }

  private boolean same(byte[] name) {
    for (int k = 0; k < name.length; k++) {
      if (d[nameStart + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  /** Marks {@code field} as seen; a known field seen twice gives up (Jackson keeps the last, this does not try). */
  private static int once(int seen, int field) {
    if (field < 0) {
      return seen;
    }
    int bit = 1 << field;
    if ((seen & bit) != 0) {
      throw GIVE_UP;
    }
    return seen | bit;
  }

  /** After a member: true at a comma (more follow), false at {@code close} (consumed). */
  private boolean separator(char close) {
    ws();
    byte b = peek();
    pos++;
    if (b == ',') {
      ws();
      return true;
    }
    if (b == close) {
      return false;
    }
    throw GIVE_UP;
  }

  private boolean next(char c) {
    if (pos < end && d[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw GIVE_UP;
    }
    pos++;
  }

  /** The byte at {@link #pos}; past the chunk's end (the array may go on with other bytes) gives up. */
  private byte peek() {
    if (pos >= end) {
      throw GIVE_UP;
    }
    return d[pos];
  }

  private void ws() {
    if (pos < end && d[pos] > ' ') {
      return;
    }
    while (pos < end) {
      byte b = d[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }

  /** A string (decoded when {@code decode}, else null) or {@code null}; anything else gives up. */
  private String stringOrNull(boolean decode) {
    if (peek() == '"') {
      int close = stringEnd(pos);
      String value = decode ? decode(pos + 1, close - 1) : null;
      pos = close;
      return value;
    }
    literal(NULL);
    return null;
  }

  private void nullOnly() {
    literal(NULL);
  }

  /** A non-negative integer of at most 9 digits; anything else gives up. */
  private int smallInt() {
    int start = pos;
    int value = 0;
    while (pos < end && d[pos] >= '0' && d[pos] <= '9') {
      value = value * 10 + (d[pos++] - '0');
    }
    int digits = pos - start;
    if (digits == 0 || digits > 9 || (digits > 1 && d[start] == '0')) {
      throw GIVE_UP;
    }
    if (pos < end && (d[pos] == '.' || d[pos] == 'e' || d[pos] == 'E')) {
      throw GIVE_UP;
    }
    return value;
  }

  private void skipValue(int depth) {
    if (depth > MAX_DEPTH) {
      throw GIVE_UP;
    }
    byte b = peek();
    switch (b) {
      case '"' -> pos = stringEnd(pos);
      case '{' -> {
        pos++;
        ws();
        if (next('}')) {
          return;
        }
        do {
          name();
          skipValue(depth + 1);
        } while (separator('}'));
      }
      case '[' -> {
        pos++;
        ws();
        if (next(']')) {
          return;
        }
        do {
          skipValue(depth + 1);
        } while (separator(']'));
      }
      case 't' -> literal(TRUE);
      case 'f' -> literal(FALSE);
      case 'n' -> literal(NULL);
      default -> {
        if (b == '-' || (b >= '0' && b <= '9')) {
          number();
        } else {
          throw GIVE_UP;
        }
      }
    }
  }

  private void literal(byte[] word) {
    for (byte c : word) {
      if (peek() != c) {
        throw GIVE_UP;
      }
      pos++;
    }
  }

  /** A JSON number; true when it is an integer (no fraction, no exponent). */
  private boolean number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    byte first = peek();
    if (first == '0') {
      pos++;
    } else if (first >= '1' && first <= '9') {
      digits();
    } else {
      throw GIVE_UP;
    }
    boolean integer = true;
    if (pos < end && d[pos] == '.') {
      pos++;
      integer = false;
      if (digits() == 0) {
        throw GIVE_UP;
      }
    }
    if (pos < end && (d[pos] == 'e' || d[pos] == 'E')) {
      pos++;
      integer = false;
      if (peek() == '+' || d[pos] == '-') {
        pos++;
      }
      if (digits() == 0) {
        throw GIVE_UP;
      }
    }
    if (pos - start > MAX_NUMBER) {
      throw GIVE_UP;
    }
    return integer;
  }

  private int digits() {
    int start = pos;
    while (pos < end && d[pos] >= '0' && d[pos] <= '9') {
      pos++;
    }
    return pos - start;
  }

  /**
   * The index just after the closing quote of the string opening at {@code open}, having checked its escapes, that
   * it holds no raw control character and that it is well-formed UTF-8 (no overlong forms, surrogates or code
   * points past U+10FFFF: those go to Jackson). Sets {@link #escaped} and {@link #wide}.
   */
  private int stringEnd(int open) {
    escaped = false;
    wide = false;
    int i = open + 1;
    while (true) {
      i = special(i);
      if (i >= end) {
        throw GIVE_UP;
      }
      int b = d[i];
      if (b == '"') {
        return i + 1;
      }
      if (b == '\\') {
        escaped = true;
        i = escapeEnd(i);
      } else if (b < 0) {
        wide = true;
        i = utf8End(i);
      } else {
        throw GIVE_UP;
      }
    }
  }

  /**
   * The index of the first byte from {@code from} a string cannot take as is (a quote, a backslash, a control
   * character, a byte outside ASCII), eight bytes at a time; {@link #end} when there is none.
   */
  private int special(int from) {
    int i = from;
    for (int last = end - 8; i <= last; i += 8) {
      long word = (long) LONGS.get(d, i);
      long quote = word ^ QUOTES;
      long backslash = word ^ BACKSLASHES;
      // high bits where a byte is '"', '\\', below 0x20 or above 0x7F (and maybe past the first such byte)
      long found = ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash | (word - SPACES) & ~word | word) & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < end; i++) {
      int b = d[i];
      if (b == '"' || b == '\\' || b < 0x20) {
        return i;
      }
    }
    return end;
  }

  private int escapeEnd(int backslash) {
    if (backslash + 1 >= end) {
      throw GIVE_UP;
    }
    byte e = d[backslash + 1];
    switch (e) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
        return backslash + 2;
      }
      case 'u' -> {
        if (backslash + 5 >= end) {
          throw GIVE_UP;
        }
        for (int k = 2; k < 6; k++) {
          if (hex(d[backslash + k]) < 0) {
            throw GIVE_UP;
          }
        }
        return backslash + 6;
      }
      default -> throw GIVE_UP;
    }
  }

  /** The end of the multi-byte UTF-8 sequence starting at {@code i}, which must be well formed. */
  private int utf8End(int i) {
    int lead = d[i] & 0xFF;
    if (i + 1 >= end) {
      throw GIVE_UP;
    }
    int second = d[i + 1] & 0xFF;
    int more;
    int low = 0x80;
    int high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      more = 2;
      if (lead == 0xE0) {
        low = 0xA0;
      } else if (lead == 0xED) {
        high = 0x9F;
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      more = 3;
      if (lead == 0xF0) {
        low = 0x90;
      } else if (lead == 0xF4) {
        high = 0x8F;
      }
    } else {
      throw GIVE_UP;
    }
    if (second < low || second > high) {
      throw GIVE_UP;
    }
    if (i + more >= end) {
      throw GIVE_UP;
    }
    for (int k = 2; k <= more; k++) {
      if ((d[i + k] & 0xC0) != 0x80) {
        throw GIVE_UP;
      }
    }
    return i + more + 1;
  }

  /** The string between {@code from} and {@code to} (the quotes excluded), already checked by {@link #stringEnd}. */
  private String decode(int from, int to) {
    if (!escaped) {
      return new String(d, from, to - from, wide ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }
    if (chars.length < to - from) {
      chars = new char[Math.max(to - from, chars.length * 2)];
    }
    char[] out = chars;
    int n = 0;
    int i = from;
    while (i < to) {
      int b = d[i];
      if (b == '\\') {
        byte e = d[i + 1];
        switch (e) {
          case 'b' -> out[n++] = '\b';
          case 'f' -> out[n++] = '\f';
          case 'n' -> out[n++] = '\n';
          case 'r' -> out[n++] = '\r';
          case 't' -> out[n++] = '\t';
          case 'u' -> {
            out[n++] = (char) (hex(d[i + 2]) << 12 | hex(d[i + 3]) << 8 | hex(d[i + 4]) << 4 | hex(d[i + 5]));
            i += 4;
          }
          default -> out[n++] = (char) e;
        }
        i += 2;
      } else if (b >= 0) {
        out[n++] = (char) b;
        i++;
      } else {
        int lead = b & 0xFF;
        if (lead < 0xE0) {
          out[n++] = (char) ((lead & 0x1F) << 6 | (d[i + 1] & 0x3F));
          i += 2;
        } else if (lead < 0xF0) {
          out[n++] = (char) ((lead & 0x0F) << 12 | (d[i + 1] & 0x3F) << 6 | (d[i + 2] & 0x3F));
          i += 3;
        } else {
          int cp = (lead & 0x07) << 18 | (d[i + 1] & 0x3F) << 12 | (d[i + 2] & 0x3F) << 6 | (d[i + 3] & 0x3F);
          out[n++] = Character.highSurrogate(cp);
          out[n++] = Character.lowSurrogate(cp);
          i += 4;
        }
      }
    }
    return new String(out, 0, n);
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
