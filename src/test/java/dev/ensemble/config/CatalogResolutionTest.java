package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheSettings;
import dev.ensemble.config.ModelConfig.Pricing;
import dev.ensemble.config.ModelConfig.Served;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How catalog models and {@code ensemble.yaml} models are matched to the configured providers. */
class CatalogResolutionTest {

  private static final String CATALOG = """
      cache_defaults:
        anthropic: { mode: explicit, ttl_seconds: 300, min_tokens: 1024 }
      models:
        claude:
          pricing: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }
          cache: { min_tokens: 4096 }
          served_by:
            anthropic: claude-up
            openrouter: { model: anthropic/claude, pricing: { input: 3.5, output: 17.5 }, cache: { mode: explicit } }
        gpt:
          pricing: { input: 1.25, output: 10, cache_read: 0.125 }
          served_by: { openai: gpt-up, openrouter: openai/gpt }
        grok:
          pricing: { input: 0.2, output: 0.5, cache_read: 0.05 }
          served_by: { xai: grok-up }
        kimi:
          pricing: { input: 0.6, output: 3 }
          served_by: { fireworks: accounts/fireworks/models/kimi }
      """;

  @TempDir
  Path dir;

  private EnsembleConfig load(String providersAndMore) throws IOException {
    Files.writeString(dir.resolve("models.yaml"), CATALOG);
    Path config = dir.resolve("ensemble.yaml");
    Files.writeString(config, "catalog: models.yaml\n" + providersAndMore);
    return new ConfigLoader(Map.of()).load(config);
  }

  private static List<String> providersOf(EnsembleConfig c, String model) {
    return c.models().get(model).providers().stream().map(Served::provider).toList();
  }

  private static Served servedBy(EnsembleConfig c, String model, String provider) {
    return c.models().get(model).providers().stream().filter(s -> s.provider().equals(provider)).findFirst().orElseThrow();
  }

  @Test
  void aProviderNamedAfterAKindMatchesByNameNotByItsType() throws IOException {
    EnsembleConfig c = load("""
        providers:
          xai: { type: openai, base_url: https://api.x.ai/v1 }
          openai: { type: openai }
        """);

    assertEquals(List.of("xai"), providersOf(c, "grok"));
    assertEquals(List.of("openai"), providersOf(c, "gpt"));
    assertEquals("xai", c.providers().get("xai").kind());
    assertEquals(new CacheSettings(CacheMode.AUTOMATIC, 1024, 600), servedBy(c, "grok", "xai").cache());
  }

  @Test
  void everyProviderOfAMatchingTypeServesInConfigOrder() throws IOException {
    EnsembleConfig c = load("""
        providers:
          oai-us: { type: openai }
          oai-eu: { type: openai }
        """);

    assertEquals(List.of("oai-us", "oai-eu"), providersOf(c, "gpt"));
    assertEquals("gpt-up", servedBy(c, "gpt", "oai-eu").model());
  }

  @Test
  void anExplicitKindMakesAnOpenAiTypedProviderServeItsProfilesModels() throws IOException {
    EnsembleConfig c = load("""
        providers:
          grok-eu: { type: openai, kind: xai, base_url: https://api.x.ai/v1 }
        """);

    assertEquals(List.of("grok-eu"), providersOf(c, "grok"));
    assertFalse(c.models().containsKey("gpt"));
  }

  @Test
  void catalogModelsNobodyServesAreDroppedAndCannotBeRouted() throws IOException {
    EnsembleConfig c = load("providers:\n  anthropic: { type: anthropic }\n");

    assertEquals(List.of("claude"), List.copyOf(c.models().keySet()));
    ConfigException e = assertThrows(ConfigException.class, () -> load("""
        providers:
          anthropic: { type: anthropic }
        routes:
          r: { model: kimi }
        """));
    assertEquals("routes.r.model: unknown model 'kimi' (not under models:, and not provider/model)", e.getMessage());
  }

  @Test
  void anEnsembleModelReplacesTheCatalogModelOfTheSameNameEntirely() throws IOException {
    EnsembleConfig c = load("""
        providers:
          openai: { type: openai }
          openrouter: { type: openai, base_url: https://openrouter.ai/api/v1 }
        models:
          gpt:
            pricing: { input: 9, output: 9 }
            providers: [{ provider: openai, model: gpt-custom }]
        """);

    ModelConfig gpt = c.models().get("gpt");
    assertEquals(List.of(new Served("openai", "gpt-custom", gpt.pricing(), new CacheSettings(CacheMode.AUTOMATIC, 1024, 86_400),
        BuiltInKind.defaultModalities("openai", "gpt-custom"))), gpt.providers());
    assertEquals(0, new BigDecimal("9").compareTo(gpt.pricing().cacheRead()));
    assertEquals(List.of("gpt", "claude"), List.copyOf(c.models().keySet()));
  }

  @Test
  void aServedByPricingOverridesTheModelsPricesOnThatProviderOnly() throws IOException {
    EnsembleConfig c = load("""
        providers:
          anthropic: { type: anthropic }
          openrouter: { type: openai, base_url: https://openrouter.ai/api/v1 }
        """);

    Pricing direct = servedBy(c, "claude", "anthropic").pricing();
    Pricing routed = servedBy(c, "claude", "openrouter").pricing();
    assertEquals(0, new BigDecimal("0.3").compareTo(direct.cacheRead()));
    assertEquals(0, new BigDecimal("3.5").compareTo(routed.input()));
    assertEquals(0, new BigDecimal("3.5").compareTo(routed.cacheRead()));
    assertEquals(c.models().get("claude").pricing(), direct);
  }

  @Test
  void aModelsCacheOverridesItsProvidersKindDefaultsFieldByField() throws IOException {
    EnsembleConfig c = load("""
        providers:
          anthropic: { type: anthropic }
          openrouter: { type: openai, base_url: https://openrouter.ai/api/v1 }
        """);

    assertEquals(new CacheSettings(CacheMode.EXPLICIT, 4096, 300), servedBy(c, "claude", "anthropic").cache());
    assertEquals(new CacheSettings(CacheMode.EXPLICIT, 4096, 300), servedBy(c, "claude", "openrouter").cache());
    assertEquals(4096, c.models().get("claude").cache().minTokens());
    assertNull(c.models().get("claude").cache().ttlSeconds());
  }

  @Test
  void catalogCacheDefaultsOverrideTheBuiltInOnesAndAProvidersCacheOverridesBoth() throws IOException {
    Files.writeString(dir.resolve("models.yaml"), "cache_defaults:\n  anthropic: { mode: explicit, ttl_seconds: 3600, min_tokens: 2048 }\n");
    Files.writeString(dir.resolve("ensemble.yaml"), """
        catalog: models.yaml
        providers:
          a: { type: anthropic }
          b: { type: anthropic, cache: { ttl_seconds: 300 } }
        """);

    EnsembleConfig c = new ConfigLoader(Map.of()).load(dir.resolve("ensemble.yaml"));

    assertEquals(new CacheSettings(CacheMode.EXPLICIT, 2048, 3600), c.providers().get("a").cache());
    assertEquals(new CacheSettings(CacheMode.EXPLICIT, 2048, 300), c.providers().get("b").cache());
  }

  @Test
  void ensembleModelsTakeTheirCacheSemanticsFromTheirProvidersKinds() {
    EnsembleConfig c = new ConfigLoader(Map.of()).parse("""
        providers:
          g: { type: gemini }
          m: { type: mock }
        models:
          flash:
            providers: [{ provider: g }, { provider: m, cache: { ttl_seconds: 60 } }]
          nocache:
            cache: { mode: none }
            providers: [{ provider: g }]
        """);

    assertEquals(new CacheSettings(CacheMode.AUTOMATIC, 2048, 3600), servedBy(c, "flash", "g").cache());
    assertEquals(new CacheSettings(CacheMode.NONE, 0, 60), servedBy(c, "flash", "m").cache());
    assertEquals(CacheMode.NONE, servedBy(c, "nocache", "g").cache().mode());
  }

  @Test
  void theCatalogPathIsResolvedAgainstTheConfigFilesDirectory() throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("models.yaml"), CATALOG);
    Files.writeString(conf.resolve("ensemble.yaml"), "catalog: models.yaml\nproviders:\n  openai: { type: openai }\n");

    EnsembleConfig c = new ConfigLoader(Map.of()).load(conf.resolve("ensemble.yaml"));

    assertTrue(c.models().containsKey("gpt"));
  }

  @Test
  void parsedTextResolvesTheCatalogAgainstTheWorkingDirectory() {
    EnsembleConfig c = new ConfigLoader(Map.of()).parse("catalog: conf/models.yaml\nproviders:\n  openai: { type: openai }\n");

    assertTrue(c.models().containsKey("gpt-5"));
  }

  @Test
  void aMissingCatalogFileIsAnErrorAtTheCatalogKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(writeConfig("catalog: nope.yaml\n")));

    assertEquals("catalog", e.path());
    assertTrue(e.getMessage().startsWith("catalog: cannot read "), e.getMessage());
  }

  @Test
  void errorsInsideTheCatalogNameItAsTheConfigWroteIt() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("catalogs"));
    Files.writeString(sub.resolve("bad.yaml"), "models:\n  m:\n    pricing: { inptu: 1 }\n    served_by: { openai: m }\n");

    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(writeConfig("catalog: catalogs/bad.yaml\n")));

    assertEquals("catalogs/bad.yaml: models.m.pricing.inptu: unknown key (allowed here: input, output, cache_read, cache_write)", e.getMessage());
  }

  @Test
  void anUnknownProviderKindIsRejected() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new ConfigLoader(Map.of()).parse("providers:\n  x: { type: openai, kind: xia }\n"));

    assertEquals("providers.x.kind: must be one of anthropic, bedrock, vertex, openai, gemini, mock, xai, fireworks, openrouter, "
        + "self_hosted, got 'xia'", e.getMessage());
  }

  private Path writeConfig(String yaml) {
    try {
      return Files.writeString(dir.resolve("ensemble.yaml"), yaml);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
