package dev.ensemble.wire.openai;

import io.vertx.core.MultiMap;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI's {@code x-ratelimit-reset-requests} / {@code x-ratelimit-reset-tokens} headers, which carry Go
 * durations such as {@code 1s}, {@code 6m0s}, {@code 20ms} or {@code 1h2m3.5s}.
 */
final class RateLimitReset {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private RateLimitReset() {
  }

  /**
   * Milliseconds until the exhausted limit resets: the limit whose {@code x-ratelimit-remaining-*} is 0,
   * or the longer of the two resets when that is not known. {@code null} when neither header is readable.
   */
  static Long millis(MultiMap headers) {
    Long requests = parse(headers.get("x-ratelimit-reset-requests"));
    Long tokens = parse(headers.get("x-ratelimit-reset-tokens"));
    boolean requestsOut = "0".equals(trim(headers.get("x-ratelimit-remaining-requests")));
    boolean tokensOut = "0".equals(trim(headers.get("x-ratelimit-remaining-tokens")));
    if (requestsOut && !tokensOut && requests != null) {
      return requests;
    }
    if (tokensOut && !requestsOut && tokens != null) {
      return tokens;
    }
    if (requests == null) {
      return tokens;
    }
    return tokens == null ? requests : Math.max(requests, tokens);
  }

  /**
   * Milliseconds until capacity returns when a successful response says a limit is used up
   * ({@code x-ratelimit-remaining-requests} or {@code -tokens} is 0): the later of the exhausted limits'
   * resets; {@code null} while capacity remains.
   */
  static Long exhaustedMillis(MultiMap headers) {
    Long wait = null;
    if ("0".equals(trim(headers.get("x-ratelimit-remaining-requests")))) {
      wait = parse(headers.get("x-ratelimit-reset-requests"));
    }
    if ("0".equals(trim(headers.get("x-ratelimit-remaining-tokens")))) {
      Long tokens = parse(headers.get("x-ratelimit-reset-tokens"));
      wait = wait == null ? tokens : tokens == null ? wait : Math.max(wait, tokens);
    }
    return wait;
  }

  /** A Go duration in whole milliseconds (rounded up), or {@code null} if it is not one. */
  static Long parse(String value) {
    String s = trim(value);
    if (s == null || s.isEmpty()) {
      return null;
    }
    Matcher m = PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (m.lookingAt()) {
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
      end = m.end();
      m.region(end, s.length());
    }
    if (end != s.length()) {
      return null;
    }
    return nanos.divide(BigDecimal.valueOf(1_000_000L), 0, RoundingMode.CEILING).longValueExact();
  }

  private static long nanosPer(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
  }

  private static String trim(String value) {
    return value == null ? null : value.trim();
  }
}
