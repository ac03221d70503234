package dev.ensemble.model;

/**
 * Where the bytes of an image or document come from: a URL, or inline base64 {@code data} with its
 * {@code mediaType} (e.g. {@code image/png}, {@code application/pdf}). Exactly one of {@code url} and
 * {@code data} is set.
 */
public record MediaSource(String url, String mediaType, String data) {

  public MediaSource {
    if ((url == null) == (data == null)) {
      throw new IllegalArgumentException("exactly one of url and data must be set");
    }
  }

  public static MediaSource url(String url) {
    return new MediaSource(url, null, null);
  }

  public static MediaSource base64(String mediaType, String data) {
    return new MediaSource(null, mediaType, data);
  }

  /**
   * Why {@code data} is not standard base64 ({@code =} only as final padding, whitespace not allowed), or null.
   *
   * @param what what the data holds ("image", "audio"), for the message
   */
  public static String base64Problem(String data, String what) {
    if (data.isEmpty()) {
      return "must not be empty";
    }
    int end = data.length();
    int padding = 0;
    while (padding < 2 && end > 0 && data.charAt(end - 1) == '=') {
      end--;
      padding++;
    }
    for (int i = 0; i < end; i++) {
      char c = data.charAt(i);
      boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
      if (!ok) {
        return "must be base64-encoded " + what + " (invalid character at offset " + i + ")";
      }
    }
    if (end == 0 || end % 4 == 1 || padding > 0 && data.length() % 4 != 0) {
      return "must be base64-encoded " + what + " (bad length or padding)";
    }
    return null;
  }

  public boolean isUrl() {
    return url != null;
  }

  /** Parses a {@code data:<media-type>;base64,<data>} URL into an inline source, or keeps it as a URL. */
  public static MediaSource fromUrlOrDataUri(String value) {
    if (value.startsWith("data:")) {
      int comma = value.indexOf(',');
      int semi = value.indexOf(";base64");
      if (comma > 0 && semi > 0 && semi < comma) {
        return base64(value.substring(5, semi), value.substring(comma + 1));
      }
    }
    return url(value);
  }

  /** This source as a URL, turning inline data into a {@code data:} URL. */
  public String toUrlOrDataUri() {
    return isUrl() ? url : "data:" + mediaType + ";base64," + data;
  }
}
