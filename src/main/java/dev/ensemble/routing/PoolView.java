package dev.ensemble.routing;

import dev.ensemble.pools.EndpointHealth;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.ratelimit.EndpointLimiter;

import java.util.List;
import java.util.Map;

/**
 * Routing's view of one provider pool: its current {@link EndpointTable} and each endpoint's last published
 * {@link EndpointHealth}, aligned by position.
 *
 * <p>Read by every event loop that routes. The pool verticle publishes a new endpoint list or health map by
 * replacing an immutable one; the first decision to see a replaced one builds the matching snapshot and
 * publishes it in a volatile field. Two loops may build at once: both snapshots are equal and immutable, and
 * a stale one written last is noticed and rebuilt by the next reader, so no lock is needed.
 */
final class PoolView {

  private final ProviderPool pool;
  private final Map<String, EndpointLimiter> limiters;
  private final CacheDomains domains;
  private volatile Snapshot snapshot;

  /** @param limiters the local limiters by endpoint id, read live when the pool's list changes */
  PoolView(ProviderPool pool, Map<String, EndpointLimiter> limiters, CacheDomains domains) {
    this.pool = pool;
    this.limiters = limiters;
    this.domains = domains;
  }

  ProviderPool pool() {
    return pool;
  }

  /** The pool's endpoints and their health as last published. */
  Snapshot snapshot() {
    Snapshot current = snapshot;
    List<Endpoint> endpoints = pool.endpoints();
    Map<String, EndpointHealth> health = pool.health();
    if (current != null && current.table.source == endpoints && current.healthSource == health) {
      return current;
    }
    EndpointTable table = current != null && current.table.source == endpoints
        ? current.table
        : new EndpointTable(pool, endpoints, limiters, domains);
    current = Snapshot.of(table, health);
    snapshot = current;
    return current;
  }

  /**
   * One consistent reading of a pool: its endpoint table and, aligned with it, what each endpoint's health says
   * routing may do, as primitive arrays (a decision over many endpoints reads them in sequence).
   *
   * @param healthSource  the pool's health map the arrays were read from, compared by identity
   * @param routable      the endpoint has its credentials and its key is not disabled
   * @param cooldownUntil epoch millis before which the provider asked not to be called, 0 if none
   * @param openUntil     epoch millis the circuit stays open until (then one probe may pass), 0 when closed
   */
  record Snapshot(EndpointTable table, Map<String, EndpointHealth> healthSource, boolean[] routable, long[] cooldownUntil,
                  long[] openUntil) {

    static Snapshot of(EndpointTable table, Map<String, EndpointHealth> health) {
      int n = table.size();
      boolean[] routable = new boolean[n];
      long[] cooldownUntil = new long[n];
      long[] openUntil = new long[n];
      for (int i = 0; i < n; i++) {
        EndpointHealth h = health.getOrDefault(table.endpoints[i].id(), EndpointHealth.NEW);
        routable[i] = table.usable[i] && !h.keyDisabled();
        cooldownUntil[i] = h.cooldownUntil();
        openUntil[i] = h.openUntil();
      }
      return new Snapshot(table, health, routable, cooldownUntil, openUntil);
    }
  }
}
