package dev.ensemble.routing;

import dev.ensemble.pools.Endpoint;
import dev.ensemble.pools.ProviderPool;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a provider-side prompt cache lives: providers cache per account, so every endpoint used with the same
 * key of the same provider shares one cache domain, and a prefix cached through one of them is a hit on all.
 * Domains are numbered densely at start; immutable.
 */
final class CacheDomains {

  private final Map<String, Integer> byEndpoint = new HashMap<>();
  private final List<String> names;

  CacheDomains(Iterable<ProviderPool> pools) {
    Map<String, Integer> byKey = new HashMap<>();
    java.util.ArrayList<String> list = new java.util.ArrayList<>();
    for (ProviderPool pool : pools) {
      for (Endpoint e : pool.endpoints()) {
        String key = pool.name() + "/" + e.keyName();
        Integer id = byKey.get(key);
        if (id == null) {
          id = list.size();
          byKey.put(key, id);
          list.add(key);
        }
        byEndpoint.put(e.id(), id);
      }
    }
    this.names = List.copyOf(list);
  }

  int of(String endpointId) {
    return byEndpoint.get(endpointId);
  }

  /** {@code provider/key}, for logs. */
  String name(int domain) {
    return names.get(domain);
  }
}
