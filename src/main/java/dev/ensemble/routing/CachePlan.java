package dev.ensemble.routing;

/**
 * What routing expects of the provider-side cache for one request, carried to the {@link RouterVerticle}
 * with the request's usage so it can learn: the cache domain the request went to, how long the provider keeps
 * what it caches, the prefixes this request makes it cache ({@code writeHashes}), and the cached prefix the
 * decision counted on ({@code predictedHash}, 0 when none).
 */
public record CachePlan(int domain, int ttlSeconds, long[] writeHashes, long predictedHash, int predictedTokens) {

  public boolean predictedHit() {
    return predictedHash != 0;
  }
}
