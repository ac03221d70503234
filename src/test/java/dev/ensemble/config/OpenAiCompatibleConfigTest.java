package dev.ensemble.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Providers of the OpenAI-compatible family as the config resolves them: kinds, base URLs, keys, headers, preferences. */
class OpenAiCompatibleConfigTest {

  private static final String KEYS = "keys: [ { name: k, api_key: sk-test-0001, endpoints: [ { id: %s-1 } ] } ]";

  @Test
  void baseUrlsDefaultFromTheKindsProfile() {
    EnsembleConfig config = parse("""
        providers:
          xai: { type: openai, %s }
          fireworks: { type: openai, %s }
          openrouter: { type: openai, %s }
          grok-eu: { type: openai, kind: xai, %s }
          openai: { type: openai, %s }
        """.formatted(keys("xai"), keys("fireworks"), keys("openrouter"), keys("grok-eu"), keys("openai")));

    assertEquals("https://api.x.ai/v1", config.providers().get("xai").baseUrl());
    assertEquals("https://api.fireworks.ai/inference/v1", config.providers().get("fireworks").baseUrl());
    assertEquals("https://openrouter.ai/api/v1", config.providers().get("openrouter").baseUrl());
    assertEquals("https://api.x.ai/v1", config.providers().get("grok-eu").baseUrl());
    assertEquals("https://api.openai.com/v1", config.providers().get("openai").baseUrl());
  }

  @Test
  void aConfiguredBaseUrlWins() {
    EnsembleConfig config = parse("providers:\n  xai: { type: openai, base_url: 'https://eu.api.x.ai/v1/', " + keys("xai") + " }\n");
    assertEquals("https://eu.api.x.ai/v1", config.providers().get("xai").baseUrl());
  }

  @Test
  void selfHostedServersNeedNoKeyEveryoneElseDoes() {
    EnsembleConfig config = parse("""
        providers:
          sglang: { type: openai, kind: self_hosted, base_url: 'http://10.0.0.5:30000/v1', keys: [ { name: local, endpoints: [ { id: sg-1 } ] } ] }
          xai: { type: openai, %s }
          ant: { type: anthropic, %s }
          mock: { type: mock, keys: [ { name: local, endpoints: [ { id: mock-1 } ] } ] }
        """.formatted(keys("xai"), keys("ant")));

    assertFalse(config.providers().get("sglang").needsKey());
    assertTrue(config.providers().get("xai").needsKey());
    assertTrue(config.providers().get("ant").needsKey());
    assertFalse(config.providers().get("mock").needsKey());
  }

  @Test
  void headersKeepFileOrderExpandVariablesAndSkipEmptyValues() {
    EnsembleConfig config = new ConfigLoader(Map.of("SITE", "https://app.example.com", "TOKEN", "t-123456789012")).parse("""
        providers:
          openrouter:
            type: openai
            headers: { HTTP-Referer: "${SITE}", X-Title: Ensemble staging, X-Token: "${TOKEN}", X-Empty: "${NOPE:-}" }
        """);

    Map<String, Secret> headers = config.providers().get("openrouter").headers();
    assertEquals(List.of("HTTP-Referer", "X-Title", "X-Token"), List.copyOf(headers.keySet()));
    assertEquals("https://app.example.com", headers.get("HTTP-Referer").value());
    assertEquals("t-123456789012", headers.get("X-Token").value());
    assertFalse(ConfigPrinter.toYaml(config).contains("t-123456789012"), "header values print masked");
  }

  @Test
  void providerPreferencesPassThroughWithTheirJsonTypes() {
    EnsembleConfig config = parse("""
        providers:
          openrouter:
            type: openai
            provider_preferences:
              order: [ anthropic, amazon-bedrock ]
              allow_fallbacks: false
              max_price: { prompt: 3, completion: 15.5 }
              data_collection: deny
        """);

    Map<String, Object> preferences = config.providers().get("openrouter").providerPreferences();
    assertEquals(List.of("order", "allow_fallbacks", "max_price", "data_collection"), List.copyOf(preferences.keySet()));
    assertEquals(List.of("anthropic", "amazon-bedrock"), preferences.get("order"));
    assertEquals(false, preferences.get("allow_fallbacks"));
    assertEquals(Map.of("prompt", 3, "completion", 15.5), preferences.get("max_price"));
  }

  @Test
  void printedProfilesLoadBackToTheSameConfig() {
    EnsembleConfig original = parse("""
        providers:
          openrouter:
            type: openai
            provider_preferences: { order: [ anthropic ], allow_fallbacks: false }
          sglang: { type: openai, kind: self_hosted, base_url: 'http://10.0.0.5:30000/v1' }
        """);
    assertEquals(original, new ConfigLoader(Map.of()).parse(ConfigPrinter.toYaml(original)));
  }

  private static String keys(String name) {
    return KEYS.formatted(name);
  }

  private static EnsembleConfig parse(String yaml) {
    return new ConfigLoader(Map.of()).parse(yaml);
  }
}
