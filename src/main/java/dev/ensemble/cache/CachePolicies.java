package dev.ensemble.cache;

import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ResponseCacheConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The response cache policies of a config, built once: each route's {@code cache} and each model's
 * {@code response_cache} that is switched on. A workflow request follows its route's policy when the route has one,
 * else its model's; a plain chat request its model's. Immutable.
 */
public final class CachePolicies {

  private final Map<String, CachePolicy> routes = new HashMap<>();
  private final Map<String, CachePolicy> models = new HashMap<>();
  private final Map<String, CachePolicy> byId = new HashMap<>();

  public CachePolicies(EnsembleConfig config) {
    config.routes().forEach((name, route) -> {
      if (route.cache().enabled()) {
        put(routes, name, CachePolicy.ofRoute(name, route.cache()));
      }
    });
    config.cache().models().forEach((name, cache) -> {
      if (cache.enabled()) {
        put(models, name, CachePolicy.ofModel(name, cache));
      }
    });
  }

  private void put(Map<String, CachePolicy> into, String name, CachePolicy policy) {
    into.put(name, policy);
    byId.put(policy.id(), policy);
  }

  /** The policy of a request on {@code route} (null for the plain chat routes) for {@code model}, or null when none caches. */
  public CachePolicy of(String route, String model) {
    CachePolicy p = route == null ? null : routes.get(route);
    return p != null ? p : models.get(model);
  }

  public boolean any() {
    return !byId.isEmpty();
  }

  /** The metric labels of every policy (route or model names). */
  public java.util.Set<String> labels() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    byId.values().forEach(p -> out.add(p.label()));
    return out;
  }

  /** Whether some policy embeds with {@code embedder}. */
  public boolean uses(String embedder) {
    return byId.values().stream().anyMatch(p -> p.config().semantic() && p.config().embedder().equals(embedder));
  }

  /**
   * The YAML path of a policy that embeds with {@code embedder} (its {@code embedding_model}, set or defaulted), for
   * start errors; null when none does.
   */
  public String pathUsing(String embedder) {
    return byId.values().stream().filter(p -> p.config().semantic() && p.config().embedder().equals(embedder)).map(CachePolicies::path)
        .sorted().findFirst().orElse(null);
  }

  private static String path(CachePolicy p) {
    String name = p.id().substring(p.id().indexOf(':') + 1);
    return (p.id().startsWith("route:") ? "routes." + name + ".cache" : "models." + name + ".response_cache") + ".embedding_model";
  }

  int maxEntries(String policyId) {
    CachePolicy p = byId.get(policyId);
    return p == null ? ResponseCacheConfig.NONE.maxEntries() : p.config().maxEntries();
  }
}
