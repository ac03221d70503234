package dev.ensemble.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second step of loading: matches declared models to the configured providers and resolves, per serving
 * provider, the upstream id, prices, cache semantics and the media it takes.
 *
 * <p>An {@code ensemble.yaml} model names its providers exactly; naming an unconfigured one is an error. A catalog
 * model is served by every configured provider whose name, or else whose kind, is one of its {@code served_by}
 * keys; a catalog model nobody configured serves is dropped. An {@code ensemble.yaml} model replaces the catalog
 * model of the same name entirely. Result order: {@code ensemble.yaml}'s models, then the catalog's.
 */
final class ModelResolver {

  private final Map<String, ProviderConfig> providers;

  ModelResolver(Map<String, ProviderConfig> providers) {
    this.providers = providers;
  }

  Map<String, ModelConfig> resolve(Map<String, DeclaredModel> declared, Catalog catalog) {
    Map<String, ModelConfig> out = new LinkedHashMap<>();
    declared.forEach((name, m) -> out.put(name, configured(m)));
    catalog.models().forEach((name, m) -> {
      if (!out.containsKey(name)) {
        ModelConfig resolved = fromCatalog(m);
        if (!resolved.providers().isEmpty()) {
          out.put(name, resolved);
        }
      }
    });
    return out;
  }

  private ModelConfig configured(DeclaredModel m) {
    List<ModelConfig.Served> served = new ArrayList<>();
    for (DeclaredModel.Serving s : m.serving()) {
      ProviderConfig p = providers.get(s.provider());
      if (p == null) {
        throw new ConfigException(s.path() + ".provider", "unknown provider '" + s.provider() + "' (" + (providers.isEmpty()
            ? "no providers are configured" : "configured: " + String.join(", ", providers.keySet())) + ")");
      }
      served.add(served(m, s, p));
    }
    return new ModelConfig(m.name(), m.pricing(), m.cache(), served, m.kind());
  }

  private ModelConfig fromCatalog(DeclaredModel m) {
    List<String> keys = m.serving().stream().map(DeclaredModel.Serving::provider).toList();
    List<ModelConfig.Served> served = new ArrayList<>();
    for (DeclaredModel.Serving s : m.serving()) {
      for (ProviderConfig p : providers.values()) {
        boolean byName = p.name().equals(s.provider());
        boolean byKind = p.kind().equals(s.provider()) && !keys.contains(p.name());
        if (byName || byKind) {
          served.add(served(m, s, p));
        }
      }
    }
    return new ModelConfig(m.name(), m.pricing(), m.cache(), served, m.kind());
  }

  private static ModelConfig.Served served(DeclaredModel m, DeclaredModel.Serving s, ProviderConfig p) {
    return new ModelConfig.Served(p.name(), s.model(), s.pricing() == null ? m.pricing() : s.pricing(),
        p.cache().with(m.cache()).with(s.cache()), modalities(m, s, p));
  }

  /** The kind's defaults, or what the serving entry (else the model) lists within what the kind's wire carries. */
  private static Modalities modalities(DeclaredModel m, DeclaredModel.Serving s, ProviderConfig p) {
    Set<Modality> listed = s.modalities() != null ? s.modalities() : m.modalities();
    return listed == null
        ? BuiltInKind.defaultModalities(p.kind(), s.model())
        : BuiltInKind.carriedModalities(p.kind(), s.model()).restrictedTo(listed);
  }
}
