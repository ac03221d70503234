package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.pools.ProviderPool;

/** A provider able to serve a requested model, with the upstream id, prices and cache semantics that apply there. */
record Candidate(ProviderPool pool, ModelConfig.Served served) {}
