package dev.ensemble.routing.affinity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The running 64-bit state of one pass over a prompt, plus a character count for the token estimate.
 * One instance per {@link PrefixFingerprinter#fingerprint} call; not thread-safe.
 *
 * <p>Input is fed as 64-bit words: a tag naming each element, a length before every string, then the
 * string's text. Every step {@code h = xorshift32((h ^ word) * K)} is a bijection of {@code h} for a
 * given word (and of the word for a given {@code h}), so two inputs that differ in one word only never
 * collide, and earlier differences are never absorbed. {@link #snapshot()} finishes the state with the
 * MurmurHash3 64-bit finalizer.
 *
 * <p>Text is fed one of two ways, chosen by the string's length alone (so a string always hashes the same):
 * <ul>
 *   <li>strings of at least {@value #BYTES_MIN_CHARS} chars: a {@code UTF8} tag, the byte length, then the
 *       UTF-8 bytes eight per word in four interleaved lanes (words 0, 4, 8... into the state, 1, 5, 9... into
 *       the second lane, and so on) that are folded into the state after the last full 32-byte block (each lane
 *       through the MurmurHash3 finalizer first, so differences in a lane's last word, which a step leaves in
 *       few bits, cannot cancel), then the remaining bytes one word at a time. Reading whole 64-bit words of
 *       the encoded bytes and four independent multiply chains (which the CPU runs side by side) make this
 *       several times as fast per character as the char path. Each lane keeps the one-word property and the
 *       fold is a bijection of each lane's state. UTF-8 is injective except on unpaired surrogates, which the
 *       encoder turns into {@code '?'}: two strings that differ only there fingerprint alike, which at worst
 *       sends a request to a cache that does not hold its prefix (a fingerprint only steers routing);</li>
 *   <li>shorter strings: the length, then four UTF-16 chars per word.</li>
 * </ul>
 * The two ways start with different first words (a tag above any length, or the length), so a string fed
 * one way and another fed the other way only collide by chance.
 */
final class PrefixHasher {

  static final long TOOL = 0x7001;
  static final long SYSTEM = 0x7002;
  static final long MESSAGE = 0x7010;
  static final long TEXT = 0x7020;
  static final long IMAGE = 0x7021;
  static final long DOCUMENT = 0x7022;
  static final long TOOL_USE = 0x7023;
  static final long TOOL_RESULT = 0x7024;
  static final long THINKING = 0x7025;
  private static final long ABSENT = 0x7030;
  private static final long PRESENT = 0x7031;
  private static final long JSON_NULL = 0x7040;
  private static final long JSON_TRUE = 0x7041;
  private static final long JSON_FALSE = 0x7042;
  private static final long JSON_INTEGER = 0x7043;
  private static final long JSON_DECIMAL = 0x7044;
  private static final long JSON_STRING = 0x7045;
  private static final long JSON_OBJECT = 0x7046;
  private static final long JSON_ARRAY = 0x7047;
  private static final long JSON_OTHER = 0x7048;

  private static final long UTF8 = 0x7050_0000_0000L;

  private static final long K = 0x9E3779B97F4A7C15L;
  /** The other lanes' starts: the state xored with these (the first 192 bits of pi's fraction). */
  private static final long LANE_1 = 0x243F6A8885A308D3L;
  private static final long LANE_2 = 0x13198A2E03707344L;
  private static final long LANE_3 = 0xA4093822299F31D0L;
  /** Shorter strings are fed as chars: encoding and allocating would cost more than it saves. */
  static final int BYTES_MIN_CHARS = 32;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int JSON_SCALAR_CHARS = 4;

  private long h;
  private long chars;
  private long mediaTokens;

  PrefixHasher(long seed) {
    h = seed;
  }

  void word(long w) {
    long x = (h ^ w) * K;
    h = x ^ (x >>> 32);
  }

  /** A string, length first; its chars count toward the token estimate. */
  void string(String s) {
    hashChars(s);
    chars += s.length();
  }

  /** A string that may be null; absent and empty differ. */
  void optString(String s) {
    if (s == null) {
      word(ABSENT);
    } else {
      word(PRESENT);
      string(s);
    }
  }

  /** A string that identifies content without being prompt text (inline media data): hashed, not counted. */
  void opaque(String s) {
    hashChars(s);
  }

  void media(int tokens) {
    mediaTokens += tokens;
  }

  /**
   * A JSON value walked in insertion order, so no text is rendered; counts about its encoded length. The
   * concrete classes a decoded value has are tested first: a test against an interface ({@code Map},
   * {@code List}) scans the class's interfaces, and a schema has dozens of values.
   */
  void json(Object value) {
    if (value instanceof String s) {
      word(JSON_STRING);
      string(s);
      chars += 2;
    } else if (value instanceof JsonObject o) {
      object(o.getMap());
    } else if (value instanceof JsonArray a) {
      array(a.getList());
    } else if (value instanceof Integer || value instanceof Long) {
      integer(((Number) value).longValue());
    } else if (value instanceof Boolean b) {
      word(b ? JSON_TRUE : JSON_FALSE);
      chars += JSON_SCALAR_CHARS;
    } else if (value == null) {
      word(JSON_NULL);
      chars += JSON_SCALAR_CHARS;
    } else if (value instanceof Map<?, ?> m) {
      object(m);
    } else if (value instanceof List<?> l) {
      array(l);
    } else if (value instanceof Short || value instanceof Byte) {
      integer(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      word(JSON_DECIMAL);
      word(Double.doubleToLongBits(((Number) value).doubleValue()));
      chars += JSON_SCALAR_CHARS;
    } else {
      word(JSON_OTHER);
      string(String.valueOf(value));
    }
  }

  private void integer(long value) {
    word(JSON_INTEGER);
    word(value);
    chars += JSON_SCALAR_CHARS;
  }

  private void object(Map<?, ?> map) {
    word(JSON_OBJECT);
    word(map.size());
    chars += 2;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      string(e.getKey() instanceof String key ? key : String.valueOf(e.getKey()));
      chars += 4;
      json(e.getValue());
    }
  }

  private void array(List<?> list) {
    word(JSON_ARRAY);
    word(list.size());
    chars += 2;
    for (Object item : list) {
      json(item);
      chars += 1;
    }
  }

  private void hashChars(String s) {
    int n = s.length();
    if (n >= BYTES_MIN_CHARS) {
      hashUtf8(s);
      return;
    }
    word(n);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      word(s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32 | (long) s.charAt(i + 3) << 48);
    }
    if (i < n) {
      long last = 0;
      for (int shift = 0; i < n; i++, shift += 16) {
        last |= (long) s.charAt(i) << shift;
      }
      word(last);
    }
  }

  /** Feeds {@code s} as its UTF-8 bytes: a tag, the byte length, four lanes of 32-byte blocks, the rest. */
  private void hashUtf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    long x = (h ^ UTF8) * K;
    long a = x ^ (x >>> 32);
    x = (a ^ n) * K;
    a = x ^ (x >>> 32);
    int i = 0;
    if (n >= 32) {
      long l1 = a ^ LANE_1;
      long l2 = a ^ LANE_2;
      long l3 = a ^ LANE_3;
      for (; i + 32 <= n; i += 32) {
        x = (a ^ (long) LONGS.get(b, i)) * K;
        a = x ^ (x >>> 32);
        x = (l1 ^ (long) LONGS.get(b, i + 8)) * K;
        l1 = x ^ (x >>> 32);
        x = (l2 ^ (long) LONGS.get(b, i + 16)) * K;
        l2 = x ^ (x >>> 32);
        x = (l3 ^ (long) LONGS.get(b, i + 24)) * K;
        l3 = x ^ (x >>> 32);
      }
      x = (finish(a) ^ finish(l1)) * K;
      a = x ^ (x >>> 32);
      x = (a ^ finish(l2)) * K;
      a = x ^ (x >>> 32);
      x = (a ^ finish(l3)) * K;
      a = x ^ (x >>> 32);
    }
    for (; i + 8 <= n; i += 8) {
      x = (a ^ (long) LONGS.get(b, i)) * K;
      a = x ^ (x >>> 32);
    }
    if (i < n) {
      long last = 0;
      for (int shift = 0; i < n; i++, shift += 8) {
        last |= (long) (b[i] & 0xFF) << shift;
      }
      x = (a ^ last) * K;
      a = x ^ (x >>> 32);
    }
    h = a;
  }

  /** The fingerprint of everything fed so far. */
  long snapshot() {
    return finish(h);
  }

  /** The MurmurHash3 64-bit finalizer: a bijection that spreads every input bit over the whole word. */
  private static long finish(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    return x;
  }

  /** Estimated tokens of everything fed so far: characters / 4, rounded up, plus media estimates. */
  int tokens() {
    return (int) Math.min(Integer.MAX_VALUE, (chars + 3) / 4 + mediaTokens);
  }

  /** The seed for a fingerprint scope, e.g. a model name. */
  static long seedOf(String scope) {
    PrefixHasher hasher = new PrefixHasher(0x5eed_0f_ca_c4e5L);
    hasher.hashChars(scope);
    return hasher.snapshot();
  }
}
