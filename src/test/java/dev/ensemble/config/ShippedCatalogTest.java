package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheSettings;
import dev.ensemble.config.ModelConfig.Pricing;
import dev.ensemble.config.ModelConfig.Served;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code conf/models.yaml} as shipped: loads, is used by {@code conf/ensemble.yaml}, and has no price typos. */
class ShippedCatalogTest {

  private static final Catalog CATALOG = new CatalogLoader(new EnvExpander(Map.of())).load(Path.of("conf/models.yaml"), "models.yaml");

  @Test
  void shippedConfigServesTheCatalogsClaudeAndGptModelsWithAnEmptyEnvironment() {
    EnsembleConfig c = new ConfigLoader(Map.of()).load(Path.of("conf/ensemble.yaml"));

    assertEquals("mock-1", List.copyOf(c.models().keySet()).get(0));
    assertEquals(List.of(new Served("anthropic", "claude-sonnet-4-5-20250929", c.models().get("claude-sonnet-4-5").pricing(),
        new CacheSettings(CacheMode.EXPLICIT, 1024, 300), BuiltInKind.defaultModalities("anthropic", "claude-sonnet-4-5-20250929"))),
        c.models().get("claude-sonnet-4-5").providers());
    assertEquals(new CacheSettings(CacheMode.EXPLICIT, 4096, 300), c.models().get("claude-haiku-4-5").providers().get(0).cache());
    assertEquals(List.of("openai"), c.models().get("gpt-5").providers().stream().map(Served::provider).toList());
    assertFalse(c.models().containsKey("grok-4"), "no xai provider is configured");
    assertEquals(CacheSettings.NONE, c.models().get("mock-1").providers().get(0).cache());
  }

  @Test
  void everyPriceIsNonNegativeAndACacheHitNeverCostsMoreThanInput() {
    List<String> problems = new ArrayList<>();
    CATALOG.models().forEach((name, m) -> {
      check(name, m.pricing(), problems);
      for (DeclaredModel.Serving s : m.serving()) {
        if (s.pricing() != null) {
          check(name + " on " + s.provider(), s.pricing(), problems);
        }
      }
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void everyKindHasCacheDefaultsAndEveryModelIsServedWhenEveryKindIsConfigured() {
    assertEquals(List.copyOf(BuiltInKind.names()), List.copyOf(CATALOG.cacheDefaults().keySet()));
    StringBuilder yaml = new StringBuilder("catalog: conf/models.yaml\nproviders:\n");
    for (String kind : BuiltInKind.names()) {
      String type = List.of("anthropic", "bedrock", "vertex", "openai", "gemini", "mock").contains(kind) ? kind : "openai";
      yaml.append("  ").append(kind).append(": { type: ").append(type).append(", base_url: https://example.com }\n");
    }

    EnsembleConfig c = new ConfigLoader(Map.of()).parse(yaml.toString());

    assertEquals(List.copyOf(CATALOG.models().keySet()), List.copyOf(c.models().keySet()));
    c.models().values().forEach(m -> m.providers().forEach(s -> assertTrue(s.cache().mode() == CacheMode.NONE
        || s.cache().minTokens() > 0 && s.cache().ttlSeconds() > 0, m.name() + " on " + s.provider())));
  }

  private static void check(String what, Pricing p, List<String> problems) {
    for (BigDecimal price : List.of(p.input(), p.output(), p.cacheRead(), p.cacheWrite())) {
      if (price.signum() < 0) {
        problems.add(what + ": negative price " + price);
      }
    }
    if (p.cacheRead().compareTo(p.input()) > 0) {
      problems.add(what + ": cache_read " + p.cacheRead() + " > input " + p.input());
    }
  }
}
