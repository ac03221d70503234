package dev.ensemble.persistence;

import java.time.LocalDate;
import java.util.Optional;

/**
 * Where a response is kept, relative to its store's root: {@code <UTC day>/<id>.json}, the day being that of
 * the request id's timestamp (its first ten characters, Crockford base32 milliseconds). Anything that is not a
 * request id has no key, so no id can name a path outside the store. Checked by one pass over the id's 26
 * characters (no regular expression: it runs once per stored response). Stateless.
 */
public final class ResponseKeys {

  private static final int LENGTH = 26;
  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final long MILLIS_PER_DAY = 86_400_000L;
  /** The Crockford base32 value of each ASCII character, or -1 (upper case, {@code i l o u} and the rest). */
  private static final byte[] DIGIT = new byte[128];

  static {
    java.util.Arrays.fill(DIGIT, (byte) -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      DIGIT[ALPHABET.charAt(i)] = (byte) i;
    }
  }

  private ResponseKeys() {
  }

  /** {@code 2026-11-22/<id>.json}, or empty for a malformed id. */
  public static Optional<String> of(String id) {
    long day = epochDay(id);
    return day < 0 ? Optional.empty() : Optional.of(LocalDate.ofEpochDay(day) + "/" + id + ".json");
  }

  /** Whether {@code id} is a request id: 26 characters of {@code [0-9a-z]}, its first ten a Crockford base32 time. */
  public static boolean valid(String id) {
    return epochDay(id) >= 0;
  }

  /**
   * The ten-character time prefix of the request ids made at {@code epochMillis} (clamped to what ten characters
   * hold): every id made earlier sorts before it, every id made then or later after it.
   */
  public static String timePrefix(long epochMillis) {
    long millis = Math.max(0, Math.min(epochMillis, (1L << 50) - 1));
    char[] prefix = new char[10];
    for (int i = 9; i >= 0; i--) {
      prefix[i] = ALPHABET.charAt((int) (millis & 31));
      millis >>>= 5;
    }
    return new String(prefix);
  }

  /** The UTC day (days since 1970-01-01) of the id's timestamp, or -1 for a malformed id. */
  static long epochDay(String id) {
    if (id == null || id.length() != LENGTH) {
      return -1;
    }
    long millis = 0;
    for (int i = 0; i < LENGTH; i++) {
      char c = id.charAt(i);
      boolean lowerAlnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
      if (!lowerAlnum) {
        return -1;
      }
      if (i < 10) {
        int digit = DIGIT[c];
        if (digit < 0) {
          return -1;
        }
        millis = (millis << 5) | digit;
      }
    }
    return Math.floorDiv(millis, MILLIS_PER_DAY);
  }
}
