package dev.ensemble.routing;

import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One provider pool's endpoint list as routing reads it on every decision: what each endpoint needs per
 * decision, in arrays aligned with the list, worked out once per list instead of looked up in maps per
 * endpoint and request. Immutable; rebuilt by {@link PoolView} when the pool publishes a new list (keys added,
 * changed or removed at run time).
 */
final class EndpointTable {

  private static final int[] NONE = new int[0];

  /** The pool's list this table was built from, compared by identity to tell when it is stale. */
  final List<Endpoint> source;
  final Endpoint[] endpoints;
  /** Whether the endpoint has the credentials its provider needs. */
  final boolean[] usable;
  /** The local limiter, null for an endpoint without limits (or when the cluster-wide limiter admits). */
  final EndpointLimiter[] limiters;
  /** The endpoint's cache domain (provider + key). */
  final int[] domains;
  /** {@code key/endpoint}, for the routing decision. */
  final String[] displayNames;
  /** Whether every endpoint has the same weight, so rendezvous hashing needs no logarithm. */
  final boolean uniformWeights;
  /** The cache domains present, ascending, and for each the positions of its endpoints, ascending. */
  private final int[] domainKeys;
  private final int[][] endpointsByDomain;

  EndpointTable(ProviderPool pool, List<Endpoint> source, Map<String, EndpointLimiter> limiters, CacheDomains domains) {
    this.source = source;
    int n = source.size();
    endpoints = source.toArray(new Endpoint[0]);
    usable = new boolean[n];
    this.limiters = new EndpointLimiter[n];
    this.domains = new int[n];
    displayNames = new String[n];
    boolean uniform = true;
    for (int i = 0; i < n; i++) {
      Endpoint e = endpoints[i];
      usable[i] = pool.isUsable(e);
      this.limiters[i] = limiters.get(e.id());
      this.domains[i] = domains.of(e);
      displayNames[i] = e.displayName();
      uniform &= e.weight() == endpoints[0].weight();
    }
    uniformWeights = uniform;
    domainKeys = Arrays.stream(this.domains).distinct().sorted().toArray();
    endpointsByDomain = new int[domainKeys.length][];
    for (int k = 0; k < domainKeys.length; k++) {
      int domain = domainKeys[k];
      endpointsByDomain[k] = IntStream.range(0, n).filter(i -> this.domains[i] == domain).toArray();
    }
  }

  /** The positions of the endpoints in cache domain {@code domain}, ascending; empty when none is. */
  int[] endpointsIn(int domain) {
    int k = Arrays.binarySearch(domainKeys, domain);
    return k >= 0 ? endpointsByDomain[k] : NONE;
  }

  int size() {
    return endpoints.length;
  }
}
