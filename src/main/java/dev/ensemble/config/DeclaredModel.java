package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheOverride;
import dev.ensemble.config.ModelConfig.Pricing;

import java.util.List;
import java.util.Set;

/**
 * A model as written, before it is matched to the configured providers: an {@code ensemble.yaml} model (its
 * {@code providers:} name providers exactly) or a catalog model (its {@code served_by:} keys name providers or kinds).
 *
 * @param path    where it was written, for error messages ({@code models.<name>})
 * @param serving    who may serve it, in order of preference
 * @param modalities what it takes ({@code modalities:}), or null for each provider kind's defaults
 * @param kind       what it does ({@code kind:}); in a catalog chat when not written, in {@code ensemble.yaml} null
 *                   when not written (the model serves whichever route it is called on)
 */
record DeclaredModel(
    String name, String path, Pricing pricing, CacheOverride cache, List<Serving> serving, Set<Modality> modalities, ModelKind kind) {

  DeclaredModel {
    serving = List.copyOf(serving);
  }

  /**
   * One way to serve the model.
   *
   * @param provider a provider name, or for a catalog model a provider name or kind
   * @param pricing  the prices on this provider, or null for the model's
   * @param path     where it was written ({@code models.<name>.providers[i]} or {@code models.<name>.served_by.<key>})
   * @param modalities what it takes on this provider, or null for the model's
   */
  record Serving(String provider, String model, Pricing pricing, CacheOverride cache, String path, Set<Modality> modalities) {}
}
