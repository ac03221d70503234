package dev.ensemble.config;

import dev.ensemble.model.MediaPart;

import java.util.Locale;

/**
 * What a model takes as input, in the words of a catalog's {@code modalities: [text, image, pdf, audio, video]}.
 * Each stands for the {@link MediaPart}s it covers; which of those a provider can actually be sent (an image by
 * URL, a PDF only inline, ...) depends on its wire format.
 */
public enum Modality {
  TEXT(0),
  IMAGE(MediaPart.IMAGE_URL.bit() | MediaPart.IMAGE_BASE64.bit()),
  PDF(MediaPart.PDF_URL.bit() | MediaPart.PDF_BASE64.bit() | MediaPart.TEXT_DOCUMENT.bit()),
  AUDIO(MediaPart.AUDIO.bit()),
  VIDEO(MediaPart.VIDEO.bit());

  private final int parts;

  Modality(int parts) {
    this.parts = parts;
  }

  /** The media parts this modality covers, as a mask of {@link MediaPart#bit()}s. */
  public int parts() {
    return parts;
  }

  /** The name as written in a catalog. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
