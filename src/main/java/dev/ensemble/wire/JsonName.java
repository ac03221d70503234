package dev.ensemble.wire;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * A JSON field name or constant string value quoted and encoded to UTF-8 once, for the writers that write an answer with
 * Jackson's streaming generator ({@link ClientDialect#writeResponse}): Jackson copies such a string's bytes into its
 * buffer, where a {@code String} is checked for escapes and encoded character by character on every write. Stateless.
 */
public final class JsonName {

  private JsonName() {
  }

  /** {@code text}, its quoted UTF-8 bytes made now rather than on the first write. */
  public static SerializableString of(String text) {
    SerializedString s = new SerializedString(text);
    s.asQuotedUTF8();
    return s;
  }
}
