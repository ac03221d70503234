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
