package dev.ensemble.wire;

/** Strict UTF-8 checks on raw bytes, without decoding them. Stateless. */
final class Utf8 {

  private Utf8() {
  }

  /**
   * Whether {@code bytes} are well-formed UTF-8 (no overlong forms, no encoded surrogates, nothing past U+10FFFF: what
   * the JDK's strict decoder accepts) that a JSON parser reading bytes takes as UTF-8 as they are: no byte order mark,
   * and no zero byte among the first four (from which it would guess UTF-16 or UTF-32).
   */
  static boolean parsesAsIs(byte[] bytes) {
    int n = bytes.length;
    for (int i = 0; i < Math.min(4, n); i++) {
      if (bytes[i] == 0) {
        return false;
      }
    }
    if (n >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
      return false;
    }
    return wellFormed(bytes);
  }

  static boolean wellFormed(byte[] b) {
    int n = b.length;
    int i = 0;
    while (i < n) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xFF;
      if (c < 0xC2) {
        return false; // a continuation byte first, or an overlong two-byte form
      }
      if (c < 0xE0) {
        if (i + 1 >= n || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (c < 0xF0) {
        if (i + 2 >= n) {
          return false;
        }
        int c1 = b[i + 1] & 0xFF;
        if (!continuation(b[i + 1]) || !continuation(b[i + 2]) || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) {
          return false; // overlong, or a surrogate
        }
        i += 3;
      } else if (c < 0xF5) {
        if (i + 3 >= n) {
          return false;
        }
        int c1 = b[i + 1] & 0xFF;
        if (!continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3]) || (c == 0xF0 && c1 < 0x90)
            || (c == 0xF4 && c1 >= 0x90)) {
          return false; // overlong, or past U+10FFFF
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xC0) == 0x80;
  }
}
