package dev.ensemble.routing;

import java.util.HashSet;
import java.util.Set;

/**
 * What a routing decision should take into account beyond the request itself: the client's session id, and
 * on a failover the endpoints already tried, the providers to avoid, and why the previous attempt failed.
 * Immutable; each failover builds a new one.
 *
 * @param session          the client's {@code X-Ensemble-Session}, or null
 * @param excludedEndpoints endpoint ids that must not be chosen again for this request
 * @param avoidedProviders providers to use only when nothing else can serve the model
 * @param preferredProvider a provider to keep the request on when it still has an eligible endpoint (after a 429:
 *                          the next endpoint of the same capacity pool), or null
 * @param failoverCause    short cause of the previous attempt's failure ({@code 429}, {@code 503}, {@code timeout}...), or null
 */
public record RoutingHints(
    String session, Set<String> excludedEndpoints, Set<String> avoidedProviders, String preferredProvider, String failoverCause) {

  public RoutingHints {
    excludedEndpoints = Set.copyOf(excludedEndpoints);
    avoidedProviders = Set.copyOf(avoidedProviders);
  }

  public static RoutingHints of(String session) {
    return new RoutingHints(session, Set.of(), Set.of(), null, null);
  }

  /** After a failure on {@code endpointId}: never that endpoint again, and {@code provider} only as a last resort when given. */
  public RoutingHints failedOver(String endpointId, String provider, String cause) {
    Set<String> endpoints = new HashSet<>(excludedEndpoints);
    endpoints.add(endpointId);
    Set<String> providers = new HashSet<>(avoidedProviders);
    if (provider != null) {
      providers.add(provider);
    }
    return new RoutingHints(session, endpoints, providers, preferredProvider, cause);
  }

  /**
   * These hints with every endpoint tried so far eligible again: a workflow route's {@code retry} that has attempts left
   * after each endpoint of its model failed once goes back to them (after its backoff).
   */
  public RoutingHints retryingTried() {
    return new RoutingHints(session, Set.of(), avoidedProviders, preferredProvider, failoverCause);
  }

  /** These hints, with {@code cause} as the reason the request moved (a workflow route skipping a model it cannot route now). */
  public RoutingHints because(String cause) {
    return new RoutingHints(session, excludedEndpoints, avoidedProviders, preferredProvider, cause);
  }

  /** These hints, keeping the request on {@code provider} where possible. */
  public RoutingHints preferring(String provider) {
    return new RoutingHints(session, excludedEndpoints, avoidedProviders, provider, failoverCause);
  }

  public boolean isFailover() {
    return failoverCause != null;
  }
}
