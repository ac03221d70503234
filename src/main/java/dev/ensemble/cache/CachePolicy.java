package dev.ensemble.cache;

import dev.ensemble.config.ResponseCacheConfig;

/**
 * A response cache policy in force for a request: a route's {@code cache} ({@code id} {@code route:<name>}) or a
 * model's {@code response_cache} ({@code model:<name>}). Entries of different policies never meet.
 *
 * @param id    the namespace of its entries
 * @param label what metrics call it (the route or model name)
 */
public record CachePolicy(String id, String label, ResponseCacheConfig config) {

  public static CachePolicy ofRoute(String route, ResponseCacheConfig config) {
    return new CachePolicy("route:" + route, route, config);
  }

  public static CachePolicy ofModel(String model, ResponseCacheConfig config) {
    return new CachePolicy("model:" + model, model, config);
  }

  /** Where a client's entries live: the whole policy when shared, else the client's own part (anonymous callers share one). */
  public String namespace(String clientId) {
    return id + "|" + (config.shared() ? "*" : clientId == null ? "anonymous" : "client:" + clientId);
  }
}
