package dev.ensemble.metrics;

import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The catalog's prices by the names a usage report carries: the client's model (a catalog name, or
 * {@code provider/upstream-model} for a direct request) and the provider that answered. Resolved as the router
 * resolves them; a pair the catalog does not price is free. Immutable.
 */
final class Prices {

  private final Map<String, Map<String, ModelConfig.Pricing>> byModel = new HashMap<>();
  private final Map<String, Map<String, ModelConfig.Pricing>> byUpstreamModel = new HashMap<>();

  Prices(EnsembleConfig config) {
    config.models().forEach((name, model) -> {
      for (ModelConfig.Served served : model.providers()) {
        byModel.computeIfAbsent(name, m -> new HashMap<>()).putIfAbsent(served.provider(), served.pricing());
        byUpstreamModel.computeIfAbsent(served.provider(), p -> new HashMap<>()).putIfAbsent(served.model(), served.pricing());
      }
    });
  }

  ModelConfig.Pricing of(String model, String provider) {
    ModelConfig.Pricing listed = byModel.getOrDefault(model, Map.of()).get(provider);
    if (listed != null) {
      return listed;
    }
    String prefix = provider + "/";
    if (model.startsWith(prefix)) {
      ModelConfig.Pricing direct = byUpstreamModel.getOrDefault(provider, Map.of()).get(model.substring(prefix.length()));
      if (direct != null) {
        return direct;
      }
    }
    return ModelConfig.Pricing.FREE;
  }
}
