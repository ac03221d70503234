package dev.ensemble.ingress;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids ({@code X-Ensemble-Request-Id}, also the persisted response id): 26 lowercase base-32
 * characters, time-ordered by their first 10 (milliseconds since the epoch) and unique by 80 random bits.
 */
final class RequestIds {

  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

  private RequestIds() {
  }

  static String next(long nowMillis) {
    char[] out = new char[26];
    long t = nowMillis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (t & 31)];
      t >>>= 5;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long a = random.nextLong();
    long b = random.nextLong();
    for (int i = 10; i < 26; i++) {
      long source = i < 22 ? a : b;
      out[i] = ALPHABET[(int) (source & 31)];
      if (i < 22) {
        a >>>= 5;
      } else {
        b >>>= 5;
      }
    }
    return new String(out);
  }
}
