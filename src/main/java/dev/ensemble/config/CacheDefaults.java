package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheSettings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Prompt-cache semantics per provider kind: a provider type, or an OpenAI-compatible profile served over the
 * {@code openai} wire format. Built in here so a config without a catalog still knows them; a catalog's
 * {@code cache_defaults:} overrides them per kind.
 */
final class CacheDefaults {

  private static final Map<String, CacheSettings> BUILT_IN = builtIn();

  private final Map<String, CacheSettings> byKind;

  private CacheDefaults(Map<String, CacheSettings> byKind) {
    this.byKind = byKind;
  }

  static CacheDefaults builtIn(Map<String, CacheSettings> overrides) {
    Map<String, CacheSettings> merged = new LinkedHashMap<>(BUILT_IN);
    merged.putAll(overrides);
    return new CacheDefaults(merged);
  }

  /** Every kind a provider may have, in a stable order. */
  static Set<String> kinds() {
    return BUILT_IN.keySet();
  }

  CacheSettings of(String kind) {
    return byKind.get(kind);
  }

  private static Map<String, CacheSettings> builtIn() {
    Map<String, CacheSettings> m = new LinkedHashMap<>();
    m.put("anthropic", new CacheSettings(CacheMode.EXPLICIT, 1024, 300));
    m.put("bedrock", new CacheSettings(CacheMode.EXPLICIT, 1024, 300));
    m.put("vertex", new CacheSettings(CacheMode.EXPLICIT, 1024, 300));
    m.put("openai", new CacheSettings(CacheMode.AUTOMATIC, 1024, 86_400));
    m.put("gemini", new CacheSettings(CacheMode.AUTOMATIC, 2048, 3600));
    m.put("mock", CacheSettings.NONE);
    m.put("xai", new CacheSettings(CacheMode.AUTOMATIC, 1024, 600));
    m.put("fireworks", new CacheSettings(CacheMode.AUTOMATIC, 1024, 300));
    m.put("openrouter", new CacheSettings(CacheMode.AUTOMATIC, 1024, 300));
    m.put("self_hosted", new CacheSettings(CacheMode.AUTOMATIC, 1024, 600));
    return Collections.unmodifiableMap(m);
  }
}
