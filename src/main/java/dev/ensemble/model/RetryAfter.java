package dev.ensemble.model;

import io.vertx.core.MultiMap;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads how long a provider asked us to back off from its standard headers. */
public final class RetryAfter {

  private RetryAfter() {
  }

  /**
   * Milliseconds from {@code retry-after-ms}, else {@code retry-after} (delta-seconds or an HTTP date,
   * RFC 9110), or {@code null} when neither is present or readable.
   */
  public static Long millis(MultiMap headers, Instant now) {
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        return Math.max(0L, Math.round(Double.parseDouble(ms.trim())));
      } catch (NumberFormatException ignored) {
        // fall through to retry-after
      }
    }
    String value = headers.get("retry-after");
    if (value == null) {
      return null;
    }
    try {
      return Math.max(0L, Math.round(Double.parseDouble(value.trim()) * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Math.max(0L, Duration.between(now, at).toMillis());
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }
}
