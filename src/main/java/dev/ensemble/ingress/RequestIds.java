package dev.ensemble.ingress;

import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids ({@code X-Ensemble-Request-Id}, also the persisted response id): 26 lowercase base-32
 * characters, time-ordered by their first 10 (milliseconds since the epoch) and unique by 80 random bits.
 */
final class RequestIds {

  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

  private RequestIds() {
  }

  /**
   * Gives {@code response} a request id of its own unless it has one (an answer the gateway makes before or without
   * admitting a request: a refusal, a 404, a stored-response read), so every answer a client gets can be quoted.
   */
  static void stamp(HttpServerResponse response) {
    if (!response.headWritten() && response.headers().get(Headers.REQUEST_ID) == null) {
      response.putHeader(Headers.REQUEST_ID, next(System.currentTimeMillis()));
    }
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
