package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.pools.Endpoint;
import dev.ensemble.pools.ProviderPool;

/**
 * A routing decision together with what it takes to carry it out: the pool and endpoint to call, the model
 * id the provider knows, and the prices to account the answer with.
 */
public record Selection(RoutingDecision decision, ProviderPool pool, Endpoint endpoint, String upstreamModel, ModelConfig.Pricing pricing) {}
