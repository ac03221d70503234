package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheSettings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A model catalog file as read: cache semantics per provider kind, and the models with who serves them. */
record Catalog(Map<String, CacheSettings> cacheDefaults, Map<String, DeclaredModel> models) {

  static final Catalog EMPTY = new Catalog(Map.of(), Map.of());

  Catalog {
    cacheDefaults = Collections.unmodifiableMap(new LinkedHashMap<>(cacheDefaults));
    models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
  }
}
