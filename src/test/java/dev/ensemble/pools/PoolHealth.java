package dev.ensemble.pools;

import java.util.Map;

/** Test access to what a {@link PoolVerticle} would publish: sets a pool's endpoint-health snapshot. */
public final class PoolHealth {

  private PoolHealth() {
  }

  public static void set(ProviderPool pool, Map<String, EndpointHealth> health) {
    pool.health(health);
  }

  public static EndpointHealth coolingDownUntil(long until) {
    return new EndpointHealth(1, 1, 1, 429, "rate_limit", 0, until - 1, "closed", 0, until, false);
  }

  public static EndpointHealth openUntil(long until) {
    return new EndpointHealth(5, 5, 5, 500, "api_error", 0, until - 1, "open", until, 0, false);
  }

  public static EndpointHealth keyDisabled() {
    return new EndpointHealth(1, 1, 1, 401, "authentication_error", 0, 1, "closed", 0, 0, true);
  }
}
