package dev.ensemble.persistence;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a response is kept, relative to its store's root: {@code <UTC day>/<id>.json}, the day being that of
 * the request id's timestamp (its first ten characters, Crockford base32 milliseconds). Anything that is not a
 * request id has no key, so no id can name a path outside the store.
 */
public final class ResponseKeys {

  private static final Pattern ID = Pattern.compile("[0-9a-z]{26}");
  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

  private ResponseKeys() {
  }

  /** {@code 2026-11-22/<id>.json}, or empty for a malformed id. */
  public static Optional<String> of(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.empty();
    }
    long millis = 0;
    for (int i = 0; i < 10; i++) {
      int digit = ALPHABET.indexOf(id.charAt(i));
      if (digit < 0) {
        return Optional.empty();
      }
      millis = (millis << 5) | digit;
    }
    String day = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().toString();
    return Optional.of(day + "/" + id + ".json");
  }
}
