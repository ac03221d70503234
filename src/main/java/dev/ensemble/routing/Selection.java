package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;

/**
 * A routing decision together with what it takes to carry it out and to learn from it afterwards: the pool
 * and endpoint to call, the model id the provider knows, the prices to account the answer with, the
 * provider's prompt-cache semantics for that model, the tokens admitted against the endpoint's limits
 * (to be corrected from the reported usage), and the cache plan ({@code null} without a prompt cache).
 */
public record Selection(
    RoutingDecision decision, ProviderPool pool, Endpoint endpoint, String upstreamModel, ModelConfig.Pricing pricing,
    ModelConfig.CacheSettings cache, long estimatedTokens, CachePlan cachePlan) {}
