package dev.ensemble.node;

import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.pools.EndpointListener;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.ratelimit.EndpointLimits;
import dev.ensemble.ratelimit.RateLimiter;

import java.util.Map;

/**
 * Keeps the per-endpoint state outside the pools in step with endpoints added or removed at run time: the
 * router's local limiter (without Redis) or the exact limiter's registration (with Redis), and the endpoint's
 * gauges. Safe from any pool verticle: the limiter map is concurrent.
 */
final class EndpointRegistrar implements EndpointListener {

  private final Map<String, EndpointLimiter> localLimiters;
  private final RateLimiter exact;
  private final boolean exactCounts;
  private final GatewayMetrics metrics;

  /** @param exactCounts whether {@code exact} admits (Redis); otherwise the local limiters do */
  EndpointRegistrar(Map<String, EndpointLimiter> localLimiters, RateLimiter exact, boolean exactCounts, GatewayMetrics metrics) {
    this.localLimiters = localLimiters;
    this.exact = exact;
    this.exactCounts = exactCounts;
    this.metrics = metrics;
  }

  @Override
  public void added(ProviderPool pool, Endpoint endpoint) {
    EndpointLimits limits = new EndpointLimits(endpoint.rpmLimit(), endpoint.tpmLimit());
    if (exactCounts) {
      exact.register(endpoint.id(), limits);
    } else if (limits.limited()) {
      localLimiters.put(endpoint.id(), new EndpointLimiter(limits.rpm(), limits.tpm()));
    } else {
      localLimiters.remove(endpoint.id());
    }
    metrics.endpointAdded(pool, endpoint);
  }

  @Override
  public void removed(ProviderPool pool, Endpoint endpoint) {
    if (exactCounts) {
      exact.unregister(endpoint.id());
    } else {
      localLimiters.remove(endpoint.id());
    }
    metrics.endpointRemoved(pool, endpoint);
  }
}
