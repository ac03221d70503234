package dev.ensemble.config;

import static dev.ensemble.model.MediaPart.AUDIO;
import static dev.ensemble.model.MediaPart.IMAGE_BASE64;
import static dev.ensemble.model.MediaPart.IMAGE_URL;
import static dev.ensemble.model.MediaPart.PDF_BASE64;
import static dev.ensemble.model.MediaPart.PDF_URL;
import static dev.ensemble.model.MediaPart.TEXT_DOCUMENT;
import static dev.ensemble.model.MediaPart.VIDEO;

import dev.ensemble.providers.vertex.VertexPublisher;

/**
 * The media each provider kind takes, built in like {@link CacheDefaults}:
 * <ul>
 *   <li>{@code anthropic}: images and PDFs inline or by URL, plain-text documents;</li>
 *   <li>{@code bedrock}, {@code vertex} serving Claude: the same, inline only (URL sources are the Anthropic
 *       API's own);</li>
 *   <li>{@code openai}: images inline or by URL, PDFs inline ({@code file} parts carry no URL); OpenAI's audio
 *       models ({@code gpt-audio*}, {@code gpt-4o*-audio-preview}) also wav and mp3 audio ({@code input_audio});</li>
 *   <li>{@code gemini}, {@code vertex} serving Gemini: images, PDFs, plain text, audio and video, inline
 *       ({@code inlineData}) or by URL ({@code fileData});</li>
 *   <li>{@code openrouter}: images, and PDFs inline (OpenRouter parses PDFs for any model); audio as {@code openai}
 *       for OpenAI's audio models;</li>
 *   <li>{@code xai}: images; {@code mock}: images (it reads only the text);</li>
 *   <li>{@code fireworks}, {@code self_hosted}: text only — a vision model says so with {@code modalities:}.</li>
 * </ul>
 * An unknown kind is not restricted. What a {@code modalities:} override can reach is bounded by the kind's
 * wire format ({@link #carried}): an OpenAI-format provider is never sent a PDF by URL, nor video; of them only
 * {@code openai} and {@code openrouter} can be sent audio ({@code input_audio}, wav or mp3), when a model says
 * {@code modalities: [text, audio]} or is one of OpenAI's audio models.
 */
public final class ModalityDefaults {

  private static final Modalities ANTHROPIC_WIRE = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_URL, PDF_BASE64, TEXT_DOCUMENT);
  private static final Modalities CLAUDE_CLOUD = Modalities.of(IMAGE_BASE64, PDF_BASE64, TEXT_DOCUMENT);
  private static final Modalities OPENAI_WIRE = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64);
  private static final Modalities OPENAI_AUDIO = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64, AUDIO);
  private static final Modalities IMAGES = Modalities.of(IMAGE_URL, IMAGE_BASE64);
  private static final Modalities GEMINI_WIRE = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_URL, PDF_BASE64, TEXT_DOCUMENT, AUDIO, VIDEO);

  private ModalityDefaults() {
  }

  /** What a provider of {@code kind} takes for {@code upstreamModel} when the config says nothing. */
  public static Modalities of(String kind, String upstreamModel) {
    return switch (kind) {
      case "anthropic" -> ANTHROPIC_WIRE;
      case "bedrock" -> CLAUDE_CLOUD;
      case "vertex" -> VertexPublisher.of(upstreamModel) == VertexPublisher.ANTHROPIC ? CLAUDE_CLOUD : GEMINI_WIRE;
      case "openai", "openrouter" -> openAiAudioModel(upstreamModel) ? OPENAI_AUDIO : OPENAI_WIRE;
      case "gemini" -> GEMINI_WIRE;
      case "xai", "mock" -> IMAGES;
      case "fireworks", "self_hosted" -> Modalities.TEXT_ONLY;
      default -> Modalities.ALL;
    };
  }

  /** Everything a provider of {@code kind} can be sent for {@code upstreamModel}: the bound of an override. */
  public static Modalities carried(String kind, String upstreamModel) {
    return switch (kind) {
      case "anthropic" -> ANTHROPIC_WIRE;
      case "bedrock" -> CLAUDE_CLOUD;
      case "vertex" -> VertexPublisher.of(upstreamModel) == VertexPublisher.ANTHROPIC ? CLAUDE_CLOUD : GEMINI_WIRE;
      case "gemini" -> GEMINI_WIRE;
      case "openai", "openrouter" -> OPENAI_AUDIO;
      case "xai", "mock", "fireworks", "self_hosted" -> OPENAI_WIRE;
      default -> Modalities.ALL;
    };
  }

  /** OpenAI's chat models that take audio input: {@code gpt-audio*} and {@code gpt-4o*-audio-preview*}, bare or {@code openai/}. */
  static boolean openAiAudioModel(String upstreamModel) {
    if (upstreamModel == null) {
      return false;
    }
    String id = upstreamModel.startsWith("openai/") ? upstreamModel.substring("openai/".length()) : upstreamModel;
    return id.startsWith("gpt-audio") || id.startsWith("gpt-4o") && id.contains("-audio-preview");
  }
}
