package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.pools.Endpoint;
import dev.ensemble.pools.ProviderPool;

/**
 * A routing decision together with what it takes to carry it out: the pool and endpoint to call, the model
 * id the provider knows, the prices to account the answer with, and the provider's prompt-cache semantics
 * for that model.
 */
public record Selection(RoutingDecision decision, ProviderPool pool, Endpoint endpoint, String upstreamModel, ModelConfig.Pricing pricing,
                        ModelConfig.CacheSettings cache) {}
