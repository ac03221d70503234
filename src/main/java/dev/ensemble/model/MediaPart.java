package dev.ensemble.model;

import java.util.Locale;

/**
 * The kinds of media a request can carry, as far as a provider's ability to take them goes: images and PDFs
 * by URL or inline, plain-text documents, audio and video. Audio and video reach the unified model only as
 * {@link ContentBlock.Document}s whose media type is {@code audio/*} or {@code video/*} (an Anthropic
 * {@code document} block, an OpenAI {@code file} part with such a data URL, or an OpenAI {@code input_audio} part,
 * which becomes an {@code audio/wav} or {@code audio/mpeg} document).
 *
 * <p>Each part has a bit ({@link #bit()}) so a request's media and a provider's abilities are plain
 * {@code int} masks.
 */
public enum MediaPart {
  IMAGE_URL("images given by URL"),
  IMAGE_BASE64("inline images"),
  PDF_URL("documents given by URL"),
  PDF_BASE64("inline PDF documents"),
  TEXT_DOCUMENT("plain-text documents"),
  AUDIO("audio"),
  VIDEO("video");

  private static final MediaPart[] VALUES = values();

  private final String description;

  MediaPart(String description) {
    this.description = description;
  }

  public int bit() {
    return 1 << ordinal();
  }

  /** What the part is, in words for an error message ({@code "inline PDF documents"}). */
  public String description() {
    return description;
  }

  /** The parts whose bits are set in {@code mask}, in declaration order. */
  public static MediaPart[] in(int mask) {
    int n = Integer.bitCount(mask & ((1 << VALUES.length) - 1));
    MediaPart[] out = new MediaPart[n];
    int i = 0;
    for (MediaPart p : VALUES) {
      if ((mask & p.bit()) != 0) {
        out[i++] = p;
      }
    }
    return out;
  }

  /**
   * The media part {@code block} is, or null for text, tool calls and thinking. A document is classified by
   * its media type ({@code application/pdf}, {@code text/*}, {@code audio/*}, {@code video/*},
   * {@code image/*}); one given by URL, or of another type, counts as a PDF document.
   */
  public static MediaPart of(ContentBlock block) {
    if (block instanceof ContentBlock.Image image) {
      return image.source().isUrl() ? IMAGE_URL : IMAGE_BASE64;
    }
    if (block instanceof ContentBlock.Document doc) {
      MediaSource source = doc.source();
      if (source.isUrl()) {
        return PDF_URL;
      }
      String type = source.mediaType() == null ? "" : source.mediaType().toLowerCase(Locale.ROOT);
      if (type.startsWith("text/")) {
        return TEXT_DOCUMENT;
      }
      if (type.startsWith("audio/")) {
        return AUDIO;
      }
      if (type.startsWith("video/")) {
        return VIDEO;
      }
      if (type.startsWith("image/")) {
        return IMAGE_BASE64;
      }
      return PDF_BASE64;
    }
    return null;
  }
}
