package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.pools.ProviderPool;

/** A provider able to serve a requested model, under the model id it knows, at the model's prices. */
record Candidate(ProviderPool pool, String upstreamModel, ModelConfig.Pricing pricing) {}
