package dev.ensemble.config;

import java.util.Map;

/**
 * The whole, validated configuration of a node. Immutable; maps keep file order. Built by
 * {@link ConfigLoader}, which guarantees every cross-reference (model to provider, route to model) resolves.
 */
public record EnsembleConfig(
    ServerConfig server,
    StorageConfig storage,
    ResponsesConfig responses,
    RedisConfig redis,
    ClusterConfig cluster,
    Map<String, ProviderConfig> providers,
    Map<String, ModelConfig> models,
    Map<String, RouteConfig> routes,
    CacheConfig cache) {

  /** Without node-wide response-cache settings (no model caches responses). */
  public EnsembleConfig(ServerConfig server, StorageConfig storage, ResponsesConfig responses, RedisConfig redis, ClusterConfig cluster,
      Map<String, ProviderConfig> providers, Map<String, ModelConfig> models, Map<String, RouteConfig> routes) {
    this(server, storage, responses, redis, cluster, providers, models, routes, CacheConfig.DEFAULT);
  }

  public EnsembleConfig {
    providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
    models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
    routes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(routes));
  }
}
