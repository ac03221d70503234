package dev.ensemble.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The grammar the one-pass JSON scanners share (OpenAI stream chunks, OpenAI completions, Anthropic stream deltas):
 * strict JSON (RFC 8259: no comments, no trailing commas, escapes and UTF-8 well formed) read straight from its UTF-8
 * bytes, without a parser object, field-name table or value objects beyond the strings a caller decodes. A scanner
 * reads only what it is sure of and gives up on everything else ({@link #GIVE_UP}, caught by its entry point), to
 * leave the input to Jackson, which decides as it always did. One instance per decoder, confined to its thread; it
 * holds the bytes only while a subclass reads them ({@link #begin}, {@link #done}).
 */
public abstract class JsonScanner {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
  private static final long SPACES = 0x2020202020202020L;
  private static final int MAX_DEPTH = 64;
  private static final int MAX_NUMBER = 100;
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");

  /** Thrown to give up: the input goes to Jackson. Preallocated, without a stack trace. */
  protected static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  protected static final GiveUp GIVE_UP = new GiveUp();

  protected byte[] d;
  protected int pos;
  protected int end;
  /** Set by {@link #stringEnd}: the string had an escape / a byte outside ASCII. */
  protected boolean escaped;
  protected boolean wide;
  protected int nameStart;
  protected int nameEnd;
  private char[] chars = new char[64];

  /** Starts reading {@code data[offset, offset + length)}. */
  protected final void begin(byte[] data, int offset, int length) {
    d = data;
    pos = offset;
    end = offset + length;
  }

  /** Done reading: the bytes are let go. */
  protected final void done() {
    d = null;
  }

  /** A field name (no escapes) and its colon; leaves {@link #pos} at its value. */
  protected final void name() {
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

  /**
   * A field name and its colon, as {@link #name()} then {@link #field}: which of {@code names} it is, or -1. One of
   * {@code names} is recognised in place (its bytes, then the closing quote), without the scan for the string's end
   * that any other name gets: the names have no quote, backslash, control character or byte outside ASCII, so the
   * string is that name exactly.
   */
  protected final int name(byte[][] names) {
    ws();
    if (pos < end && d[pos] == '"') {
      int from = pos + 1;
      for (int i = 0; i < names.length; i++) {
        byte[] name = names[i];
        int close = from + name.length;
        if (close < end && d[close] == '"' && at(name, from)) {
          nameStart = from;
          nameEnd = close;
          pos = close + 1;
          ws();
          expect(':');
          ws();
          return i;
        }
      }
    }
    name();
    return field(names);
  }

  private boolean at(byte[] name, int from) {
    for (int k = 0; k < name.length; k++) {
      if (d[from + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  /** Which of {@code names} the last field name is, or -1. */
  protected final int field(byte[][] names) {
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
  protected static int once(int seen, int field) {
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
  protected final boolean separator(char close) {
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

  protected final boolean next(char c) {
    if (pos < end && d[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  protected final void expect(char c) {
    if (peek() != c) {
      throw GIVE_UP;
    }
    pos++;
  }

  /** The byte at {@link #pos}; past the chunk's end (the array may go on with other bytes) gives up. */
  protected final byte peek() {
    if (pos >= end) {
      throw GIVE_UP;
    }
    return d[pos];
  }

  protected final void ws() {
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
  protected final String stringOrNull(boolean decode) {
    if (peek() == '"') {
      int close = stringEnd(pos);
      String value = decode ? decode(pos + 1, close - 1) : null;
      pos = close;
      return value;
    }
    literal(NULL);
    return null;
  }

  protected final void nullOnly() {
    literal(NULL);
  }

  /** A non-negative integer of at most 9 digits; anything else gives up. */
  protected final int smallInt() {
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

  protected final void skipValue(int depth) {
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

  protected final void literal(byte[] word) {
    for (byte c : word) {
      if (peek() != c) {
        throw GIVE_UP;
      }
      pos++;
    }
  }

  /** A JSON number; true when it is an integer (no fraction, no exponent). */
  protected final boolean number() {
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

  protected final int digits() {
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
  protected final int stringEnd(int open) {
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
  protected final String decode(int from, int to) {
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

  protected static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
