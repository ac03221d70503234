package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheSettings;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prompt-cache semantics per provider kind: each {@link BuiltInKind}'s own, with a catalog's
 * {@code cache_defaults:} laid over them per kind.
 */
final class CacheDefaults {

  private final Map<String, CacheSettings> overrides;

  private CacheDefaults(Map<String, CacheSettings> overrides) {
    this.overrides = overrides;
  }

  static CacheDefaults builtIn(Map<String, CacheSettings> overrides) {
    return new CacheDefaults(new LinkedHashMap<>(overrides));
  }

  /** The semantics of {@code kind}; null for a kind this build does not know. */
  CacheSettings of(String kind) {
    CacheSettings override = overrides.get(kind);
    if (override != null) {
      return override;
    }
    BuiltInKind known = BuiltInKind.named(kind);
    return known == null ? null : known.cache();
  }
}
