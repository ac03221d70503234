package dev.ensemble.config;

import static dev.ensemble.model.MediaPart.AUDIO;
import static dev.ensemble.model.MediaPart.IMAGE_BASE64;
import static dev.ensemble.model.MediaPart.IMAGE_URL;
import static dev.ensemble.model.MediaPart.PDF_BASE64;
import static dev.ensemble.model.MediaPart.PDF_URL;
import static dev.ensemble.model.MediaPart.TEXT_DOCUMENT;
import static dev.ensemble.model.MediaPart.VIDEO;

import dev.ensemble.config.ModelConfig.CacheSettings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The provider kinds this build knows ({@code providers.<name>.kind}), each with its defaults: the wire format it
 * is served over, its default base URL, whether an endpoint needs a key, its prompt-cache semantics (a catalog's
 * {@code cache_defaults:} overrides them) and the media it takes. The one place a kind's defaults are written:
 * config validates and resolves with them, and {@code providers} builds each kind's adapter on top of them
 * (the OpenAI-compatible kinds' wire quirks are {@code providers.openai.OpenAiProfile}'s).
 *
 * <p>Media by kind:
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
public enum BuiltInKind {
  ANTHROPIC(ProviderType.ANTHROPIC, "https://api.anthropic.com", true, new CacheSettings(CacheMode.EXPLICIT, 1024, 300)),
  BEDROCK(ProviderType.BEDROCK, "", false, new CacheSettings(CacheMode.EXPLICIT, 1024, 300)),
  VERTEX(ProviderType.VERTEX, "", true, new CacheSettings(CacheMode.EXPLICIT, 1024, 300)),
  OPENAI(ProviderType.OPENAI, "https://api.openai.com/v1", true, new CacheSettings(CacheMode.AUTOMATIC, 1024, 86_400)),
  GEMINI(ProviderType.GEMINI, "https://generativelanguage.googleapis.com", true, new CacheSettings(CacheMode.AUTOMATIC, 2048, 3600)),
  MOCK(ProviderType.MOCK, "", false, CacheSettings.NONE),
  XAI(ProviderType.OPENAI, "https://api.x.ai/v1", true, new CacheSettings(CacheMode.AUTOMATIC, 1024, 600)),
  FIREWORKS(ProviderType.OPENAI, "https://api.fireworks.ai/inference/v1", true, new CacheSettings(CacheMode.AUTOMATIC, 1024, 300)),
  OPENROUTER(ProviderType.OPENAI, "https://openrouter.ai/api/v1", true, new CacheSettings(CacheMode.AUTOMATIC, 1024, 300)),
  /** SGLang and vLLM: no key unless the server was started with one, and no default URL ({@code base_url} is required). */
  SELF_HOSTED(ProviderType.OPENAI, "", false, new CacheSettings(CacheMode.AUTOMATIC, 1024, 600));

  private static final Modalities ANTHROPIC_WIRE = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_URL, PDF_BASE64, TEXT_DOCUMENT);
  private static final Modalities CLAUDE_CLOUD = Modalities.of(IMAGE_BASE64, PDF_BASE64, TEXT_DOCUMENT);
  private static final Modalities OPENAI_WIRE = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64);
  private static final Modalities OPENAI_AUDIO = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64, AUDIO);
  private static final Modalities IMAGES = Modalities.of(IMAGE_URL, IMAGE_BASE64);
  private static final Modalities GEMINI_WIRE = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_URL, PDF_BASE64, TEXT_DOCUMENT, AUDIO, VIDEO);

  private static final Set<String> NAMES = names(values());

  private final String id;
  private final ProviderType type;
  private final String defaultBaseUrl;
  private final boolean needsKey;
  private final CacheSettings cache;

  BuiltInKind(ProviderType type, String defaultBaseUrl, boolean needsKey, CacheSettings cache) {
    this.id = name().toLowerCase(Locale.ROOT);
    this.type = type;
    this.defaultBaseUrl = defaultBaseUrl;
    this.needsKey = needsKey;
    this.cache = cache;
  }

  /** The kind as the config names it ({@code self_hosted}). */
  public String id() {
    return id;
  }

  /** The wire format the kind is served over. */
  public ProviderType type() {
    return type;
  }

  /** The base URL as the provider's official SDK names it (OpenAI's includes {@code /v1}); empty when there is none. */
  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /** Whether an endpoint of this kind is unusable without an API key. */
  public boolean needsKey() {
    return needsKey;
  }

  /** The kind's prompt-cache semantics, before a catalog's {@code cache_defaults:} and a provider's {@code cache:}. */
  public CacheSettings cache() {
    return cache;
  }

  /** A member of the OpenAI-compatible family other than OpenAI itself: only {@code type: openai} can serve it. */
  public boolean openAiCompatible() {
    return type == ProviderType.OPENAI && this != OPENAI;
  }

  /** What a provider of this kind takes for {@code upstreamModel} when the config says nothing. */
  public Modalities modalities(String upstreamModel) {
    return switch (this) {
      case ANTHROPIC -> ANTHROPIC_WIRE;
      case BEDROCK -> CLAUDE_CLOUD;
      case VERTEX -> vertexServesClaude(upstreamModel) ? CLAUDE_CLOUD : GEMINI_WIRE;
      case OPENAI, OPENROUTER -> openAiAudioModel(upstreamModel) ? OPENAI_AUDIO : OPENAI_WIRE;
      case GEMINI -> GEMINI_WIRE;
      case XAI, MOCK -> IMAGES;
      case FIREWORKS, SELF_HOSTED -> Modalities.TEXT_ONLY;
    };
  }

  /** Everything a provider of this kind can be sent for {@code upstreamModel}: the bound of an override. */
  public Modalities carried(String upstreamModel) {
    return switch (this) {
      case ANTHROPIC -> ANTHROPIC_WIRE;
      case BEDROCK -> CLAUDE_CLOUD;
      case VERTEX -> vertexServesClaude(upstreamModel) ? CLAUDE_CLOUD : GEMINI_WIRE;
      case GEMINI -> GEMINI_WIRE;
      case OPENAI, OPENROUTER -> OPENAI_AUDIO;
      case XAI, MOCK, FIREWORKS, SELF_HOSTED -> OPENAI_WIRE;
    };
  }

  /** The kind named {@code id}, or null when this build knows none of that name. */
  public static BuiltInKind named(String id) {
    if (id == null || !NAMES.contains(id)) {
      return null;
    }
    return valueOf(id.toUpperCase(Locale.ROOT));
  }

  /** Every kind's name, in a stable order. */
  public static Set<String> names() {
    return NAMES;
  }

  /**
   * The kind whose defaults a provider of {@code type} and {@code kind} takes: the kind itself over its own wire
   * format, OpenAI for any other kind served over the OpenAI format (Anthropic's or Gemini's OpenAI-compatible
   * endpoints, say), else the type's own kind.
   */
  public static BuiltInKind of(ProviderType type, String kind) {
    BuiltInKind named = named(kind);
    if (named != null && named.type == type) {
      return named;
    }
    return switch (type) {
      case OPENAI -> OPENAI;
      case ANTHROPIC -> ANTHROPIC;
      case GEMINI -> GEMINI;
      case BEDROCK -> BEDROCK;
      case VERTEX -> VERTEX;
      case MOCK -> MOCK;
    };
  }

  /** What a provider of {@code kind} takes for {@code upstreamModel} when the config says nothing; all media for an unknown kind. */
  public static Modalities defaultModalities(String kind, String upstreamModel) {
    BuiltInKind known = named(kind);
    return known == null ? Modalities.ALL : known.modalities(upstreamModel);
  }

  /** Everything a provider of {@code kind} can be sent for {@code upstreamModel}; all media for an unknown kind. */
  public static Modalities carriedModalities(String kind, String upstreamModel) {
    BuiltInKind known = named(kind);
    return known == null ? Modalities.ALL : known.carried(upstreamModel);
  }

  /**
   * Whether Vertex AI serves {@code upstreamModel} as Anthropic's (Messages API through {@code rawPredict}):
   * Claude ids ({@code claude-sonnet-4-5@20250929}) are Anthropic's, every other model id is Google's.
   */
  public static boolean vertexServesClaude(String upstreamModel) {
    return upstreamModel.toLowerCase(Locale.ROOT).startsWith("claude");
  }

  /** OpenAI's chat models that take audio input: {@code gpt-audio*} and {@code gpt-4o*-audio-preview*}, bare or {@code openai/}. */
  static boolean openAiAudioModel(String upstreamModel) {
    if (upstreamModel == null) {
      return false;
    }
    String id = upstreamModel.startsWith("openai/") ? upstreamModel.substring("openai/".length()) : upstreamModel;
    return id.startsWith("gpt-audio") || id.startsWith("gpt-4o") && id.contains("-audio-preview");
  }

  private static Set<String> names(BuiltInKind[] kinds) {
    List<String> ids = new ArrayList<>();
    for (BuiltInKind kind : kinds) {
      ids.add(kind.name().toLowerCase(Locale.ROOT));
    }
    return Collections.unmodifiableSet(new LinkedHashSet<>(ids));
  }
}
