package dev.ensemble.config;

import static dev.ensemble.model.MediaPart.AUDIO;
import static dev.ensemble.model.MediaPart.IMAGE_BASE64;
import static dev.ensemble.model.MediaPart.IMAGE_URL;
import static dev.ensemble.model.MediaPart.PDF_BASE64;
import static dev.ensemble.model.MediaPart.PDF_URL;
import static dev.ensemble.model.MediaPart.TEXT_DOCUMENT;
import static dev.ensemble.model.MediaPart.VIDEO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.config.ModelConfig.Served;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which media each provider kind takes by default, and how {@code modalities:} changes that within its wire format. */
class ModalitiesTest {

  @TempDir
  Path dir;

  @Test
  void kindDefaultsFollowTheProviderTable() {
    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_URL, PDF_BASE64, TEXT_DOCUMENT), BuiltInKind.defaultModalities("anthropic", "claude-x"));
    assertEquals(Modalities.of(IMAGE_BASE64, PDF_BASE64, TEXT_DOCUMENT), BuiltInKind.defaultModalities("bedrock", "anthropic.claude-x"));
    assertEquals(Modalities.of(IMAGE_BASE64, PDF_BASE64, TEXT_DOCUMENT), BuiltInKind.defaultModalities("vertex", "claude-sonnet-4-5@20250929"));
    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64), BuiltInKind.defaultModalities("openai", "gpt-5"));
    assertEquals(Modalities.ALL, BuiltInKind.defaultModalities("gemini", "gemini-2.5-flash"));
    assertEquals(Modalities.ALL, BuiltInKind.defaultModalities("vertex", "gemini-2.5-flash"));
    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64), BuiltInKind.defaultModalities("xai", "grok-4"));
    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64), BuiltInKind.defaultModalities("openrouter", "x/y"));
    assertEquals(Modalities.TEXT_ONLY, BuiltInKind.defaultModalities("fireworks", "accounts/fireworks/models/glm-5"));
    assertEquals(Modalities.TEXT_ONLY, BuiltInKind.defaultModalities("self_hosted", "Qwen/Qwen3"));
    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64), BuiltInKind.defaultModalities("mock", "mock-1"));
    assertEquals(Modalities.ALL, BuiltInKind.defaultModalities("some_future_kind", "m"));
  }

  @Test
  void openAisAudioModelsTakeAudioByDefaultAndOtherOpenAiModelsDoNot() {
    Modalities withAudio = Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64, AUDIO);
    for (String model : List.of("gpt-audio", "gpt-audio-mini", "gpt-audio-2025-08-28", "gpt-4o-audio-preview", "gpt-4o-mini-audio-preview")) {
      assertEquals(withAudio, BuiltInKind.defaultModalities("openai", model), model);
      assertEquals(withAudio, BuiltInKind.defaultModalities("openrouter", "openai/" + model), model);
    }
    for (String model : List.of("gpt-4o", "gpt-5", "gpt-4o-mini", "gpt-realtime")) {
      assertFalse(BuiltInKind.defaultModalities("openai", model).accepts(AUDIO), model);
    }
    assertFalse(BuiltInKind.defaultModalities("openrouter", "vendor/gpt-audio").accepts(AUDIO), "only OpenAI's own models by default");
    assertFalse(BuiltInKind.defaultModalities("xai", "gpt-audio").accepts(AUDIO));
  }

  @Test
  void onlyOpenAiAndOpenRouterOfTheOpenAiFormatKindsCanBeSentAudio() {
    for (String kind : List.of("openai", "openrouter")) {
      assertTrue(BuiltInKind.carriedModalities(kind, "m").accepts(AUDIO), kind);
      assertFalse(BuiltInKind.carriedModalities(kind, "m").accepts(VIDEO), kind);
      assertFalse(BuiltInKind.carriedModalities(kind, "m").accepts(PDF_URL), kind);
    }
    for (String kind : List.of("xai", "fireworks", "self_hosted", "mock", "anthropic", "bedrock")) {
      assertFalse(BuiltInKind.carriedModalities(kind, "m").accepts(AUDIO), kind);
    }
    assertFalse(BuiltInKind.carriedModalities("vertex", "claude-sonnet-4-5@20250929").accepts(AUDIO));
  }

  @Test
  void modalitiesWithAudioEnableItOnOpenAiAndOpenRouterOnly() throws IOException {
    EnsembleConfig c = load("""
        models:
          listener:
            pricing: { input: 1, output: 1 }
            modalities: [text, audio]
            served_by: { openai: some-audio-model, openrouter: vendor/audio-model, anthropic: claude-x }
        """, """
        providers:
          openai: { type: openai }
          openrouter: { type: openai, kind: openrouter }
          anthropic: { type: anthropic }
        """);

    assertEquals(Modalities.of(AUDIO), served(c, "listener", "openai").modalities());
    assertEquals(Modalities.of(AUDIO), served(c, "listener", "openrouter").modalities());
    assertEquals(Modalities.TEXT_ONLY, served(c, "listener", "anthropic").modalities(), "the Anthropic wire carries no audio");
  }

  @Test
  void everyCacheKindHasModalityDefaults() {
    for (String kind : BuiltInKind.names()) {
      assertTrue(BuiltInKind.carriedModalities(kind, "m").accepts(BuiltInKind.defaultModalities(kind, "m").parts()), kind);
    }
  }

  @Test
  void acceptsOnlyWhenEveryRequiredPartIsTaken() {
    Modalities m = Modalities.of(IMAGE_URL, PDF_BASE64);
    assertTrue(m.accepts(0));
    assertTrue(m.accepts(IMAGE_URL.bit() | PDF_BASE64.bit()));
    assertFalse(m.accepts(IMAGE_URL.bit() | IMAGE_BASE64.bit()));
    assertFalse(Modalities.TEXT_ONLY.accepts(AUDIO));
    assertTrue(Modalities.ALL.accepts(VIDEO));
    assertEquals(List.of("text", "image", "pdf"), m.names());
    assertEquals(List.of("text"), Modalities.TEXT_ONLY.names());
  }

  @Test
  void aServedOverrideBeatsTheModelsAndBothStayWithinTheWireFormat() throws IOException {
    EnsembleConfig c = load("""
        models:
          vlm:
            pricing: { input: 1, output: 1 }
            modalities: [text, image, audio]
            served_by:
              self_hosted: Org/VL
              gemini: gemini-x
              fireworks: { model: accounts/fireworks/models/vl, modalities: [text] }
        """, """
        providers:
          sglang: { type: openai, kind: self_hosted, base_url: http://10.0.0.5:30000/v1 }
          gemini: { type: gemini }
          fireworks: { type: openai, base_url: https://api.fireworks.ai/inference/v1 }
        """);

    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64), served(c, "vlm", "sglang").modalities(),
        "a self-hosted server is not sent audio");
    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64, AUDIO), served(c, "vlm", "gemini").modalities());
    assertEquals(Modalities.TEXT_ONLY, served(c, "vlm", "fireworks").modalities());
  }

  @Test
  void anEnsembleModelTakesModalitiesPerProvider() throws IOException {
    EnsembleConfig c = load("models: {}\n", """
        providers:
          mock: { type: mock }
          sglang: { type: openai, kind: self_hosted, base_url: http://10.0.0.5:30000/v1 }
        models:
          m:
            providers:
              - { provider: sglang, model: Org/VL, modalities: [text, image, pdf] }
              - { provider: mock, model: mock-1 }
        """);

    assertEquals(Modalities.of(IMAGE_URL, IMAGE_BASE64, PDF_BASE64), served(c, "m", "sglang").modalities());
    assertEquals(BuiltInKind.defaultModalities("mock", "mock-1"), served(c, "m", "mock").modalities());
  }

  @Test
  void theShippedCatalogMarksKimiK25AsSeeingImagesOnFireworks() throws IOException {
    Path catalog = Path.of("conf/models.yaml");
    Catalog parsed = new CatalogLoader(new EnvExpander(Map.of())).load(catalog, "models.yaml");
    DeclaredModel kimi = parsed.models().get("kimi-k2.5");
    assertEquals(Set.of(Modality.TEXT, Modality.IMAGE), kimi.serving().get(0).modalities());
    assertEquals(Set.of(Modality.TEXT), parsed.models().get("grok-code-fast-1").modalities());
  }

  @Test
  void theShippedCatalogsGptAudioTakesAudioOnOpenAiAndOpenRouter() throws IOException {
    EnsembleConfig c = load(Files.readString(Path.of("conf/models.yaml")), """
        providers:
          openai: { type: openai }
          openrouter: { type: openai, kind: openrouter }
        """);

    assertEquals(Modalities.of(AUDIO), served(c, "gpt-audio", "openai").modalities());
    assertEquals(Modalities.of(AUDIO), served(c, "gpt-audio", "openrouter").modalities());
  }

  private EnsembleConfig load(String catalog, String config) throws IOException {
    Files.writeString(dir.resolve("models.yaml"), catalog);
    Path file = dir.resolve("ensemble.yaml");
    Files.writeString(file, "catalog: models.yaml\n" + config);
    return new ConfigLoader(Map.of()).load(file);
  }

  private static Served served(EnsembleConfig c, String model, String provider) {
    return c.models().get(model).providers().stream().filter(s -> s.provider().equals(provider)).findFirst().orElseThrow();
  }
}
