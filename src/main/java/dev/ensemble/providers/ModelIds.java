package dev.ensemble.providers;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Which upstream model ids a provider type could have, and how one goes into an upstream URL. A client writing
 * {@code provider/model} names the upstream id itself, and some providers put that id in the request's path
 * (Gemini, Vertex AI, Bedrock): an id outside the provider's alphabet ({@code ../}, {@code ?}, {@code #},
 * spaces, CR/LF) is refused before anything is sent, and every id is percent-encoded as one path segment
 * anyway. Immutable.
 *
 * @param pattern     the ids the provider type could have
 * @param description the alphabet in words, for the client's error
 */
public record ModelIds(Pattern pattern, String description) {

  /** Longest id echoed back in an error. */
  private static final int ECHO_CHARS = 80;

  /** Providers that carry the id only in the JSON body: any printable id without spaces, at most 256 characters. */
  public static final ModelIds IN_BODY = new ModelIds(Pattern.compile("[\\x21-\\x7E\\u00A0-\\uFFFF]{1,256}"),
      "1 to 256 printable characters without spaces");

  /**
   * Why {@code id} cannot be one of this provider type's models (for an error naming {@code model}), or null when
   * it could be.
   */
  public String problem(String provider, String id) {
    if (pattern.matcher(id).matches()) {
      return null;
    }
    return "'" + echo(provider + "/" + id) + "' is not a model id provider '" + provider + "' could have (" + description + ")";
  }

  /** {@code value} cut to a length fit for an error message, control characters shown as {@code ?}. */
  public static String echo(String value) {
    String cut = value.length() <= ECHO_CHARS ? value : value.substring(0, ECHO_CHARS) + "...";
    StringBuilder out = new StringBuilder(cut.length());
    cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return out.toString();
  }

  /**
   * {@code value} percent-encoded as one URL path segment: everything but RFC 3986's unreserved characters and
   * {@code @} is encoded (so {@code /}, {@code ?}, {@code #}, {@code :} and {@code %} cannot change the URL's
   * shape); {@code .} and {@code ..} are encoded too, so no normalisation can take them as a step up.
   */
  public static String pathSegment(String value) {
    if (value.equals(".") || value.equals("..")) {
      return value.replace(".", "%2E");
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~'
          || c == '@') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }
}
