package dev.ensemble.routing;

import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a provider-side prompt cache lives: providers cache per account, so every endpoint used with the same
 * key of the same provider shares one cache domain, and a prefix cached through one of them is a hit on all.
 * Domains are numbered densely: the configured keys at start, keys added at run time when first routed to.
 * Lock-free; a provider + key keeps its number for the life of the node, even after the key is removed.
 */
final class CacheDomains {

  private final Map<String, Map<String, Integer>> byProvider = new ConcurrentHashMap<>();
  private final Map<Integer, String> names = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();

  CacheDomains(Iterable<ProviderPool> pools) {
    for (ProviderPool pool : pools) {
      for (Endpoint e : pool.endpoints()) {
        of(e);
      }
    }
  }

  /** The domain of {@code endpoint}'s provider and key, numbered on first sight. */
  int of(Endpoint endpoint) {
    return byProvider.computeIfAbsent(endpoint.provider(), p -> new ConcurrentHashMap<>())
        .computeIfAbsent(endpoint.keyName(), key -> {
          int id = next.getAndIncrement();
          names.put(id, endpoint.provider() + "/" + key);
          return id;
        });
  }

  /** {@code provider/key}, for logs. */
  String name(int domain) {
    return names.get(domain);
  }
}
