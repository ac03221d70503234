package dev.ensemble.ingress;

import io.netty.util.AsciiString;
import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids ({@code X-Ensemble-Request-Id}, also the persisted response id): 26 lowercase base-32
 * characters, time-ordered by their first 10 (milliseconds since the epoch) and unique by 80 random bits. Made as the
 * bytes of an {@code AsciiString} ({@link #nextAscii}), which goes on the response as it is (its hash taken over bytes
 * once, copied as bytes into the HTTP/1.x head or the HPACK literal) and whose {@code String} it keeps is the id
 * everywhere else.
 */
final class RequestIds {

  private static final byte[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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
    return nextAscii(nowMillis).toString();
  }

  static AsciiString nextAscii(long nowMillis) {
    byte[] out = new byte[26];
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
    return new AsciiString(out, false);
  }
}
