package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.pools.ProviderPool;

/**
 * A provider able to serve a requested model, with the upstream id, prices and cache semantics that apply
 * there, and those prices as per-token rates for routing's estimates.
 */
record Candidate(PoolView view, ModelConfig.Served served, PriceRates rates) {

  Candidate(PoolView view, ModelConfig.Served served) {
    this(view, served, PriceRates.of(served.pricing()));
  }

  ProviderPool pool() {
    return view.pool();
  }
}
