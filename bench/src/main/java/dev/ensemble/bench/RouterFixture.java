package dev.ensemble.bench;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.routing.EndpointLoad;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.affinity.AffinityTable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A {@link ModelRouter} built in-process from config text the way {@code Gateway} builds it without Redis:
 * one {@link ProviderPool} per provider, a local {@link EndpointLimiter} per endpoint with limits, a shared
 * {@link EndpointLoad} and {@link AffinityTable}, and the given clock.
 */
final class RouterFixture {

  final EnsembleConfig config;
  final Map<String, ProviderPool> pools = new LinkedHashMap<>();
  final Map<String, EndpointLimiter> limiters = new HashMap<>();
  final EndpointLoad load = new EndpointLoad();
  final AffinityTable affinity;
  final ModelRouter router;

  RouterFixture(String yaml, int affinitySlots, LongSupplier clock) {
    config = new ConfigLoader(Map.of()).parse(yaml);
    config.providers().forEach((name, p) -> {
      List<Endpoint> endpoints = new ArrayList<>();
      for (ProviderConfig.KeyConfig k : p.keys()) {
        for (ProviderConfig.EndpointConfig e : k.endpoints()) {
          endpoints.add(new Endpoint(e.id(), name, k.name(), k.apiKey(), k.weight(), e.rpmLimit(), e.tpmLimit(),
              p.baseUrl(), ""));
          if (e.rpmLimit() != null || e.tpmLimit() != null) {
            limiters.put(e.id(), new EndpointLimiter(e.rpmLimit(), e.tpmLimit()));
          }
        }
      }
      var kind = ProviderKinds.of(p);
      pools.put(name, new ProviderPool(p, kind.adapter(), kind.auth(), endpoints));
    });
    affinity = new AffinityTable(affinitySlots);
    router = new ModelRouter(config, pools, limiters, load, affinity, clock);
  }

  /** YAML for {@code keys} keys of one provider, one endpoint each ({@code <prefix>-<i>}), with optional limits. */
  static String keys(String prefix, int keys, String limits) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keys; i++) {
      sb.append("          - { name: ").append(prefix).append('k').append(i).append(", api_key: key").append(i)
          .append(", endpoints: [ { id: ").append(prefix).append('-').append(i)
          .append(limits.isEmpty() ? "" : ", " + limits).append(" } ] }\n");
    }
    return sb.toString();
  }
}
