package dev.ensemble.routing;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * Why a request went where it went. One per request: logged, counted, and turned into the
 * {@code X-Ensemble-*} response headers.
 *
 * @param provider       the provider's configured name
 * @param endpoint       the endpoint's display name ({@code key/endpoint})
 * @param endpointId     the endpoint id
 * @param reason         short reason, e.g. {@code session_affinity}, {@code round_robin}, {@code failover:429}
 * @param estimatedValue USD value of the provider-side cache hit expected by routing here
 * @param cacheOptimized whether cache affinity decided the endpoint
 * @param costPenalty    USD more than the cheapest eligible option would have cost
 */
public record RoutingDecision(
    String provider, String endpoint, String endpointId, String reason, BigDecimal estimatedValue,
    boolean cacheOptimized, BigDecimal costPenalty) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("provider", provider)
        .put("endpoint", endpoint)
        .put("endpoint_id", endpointId)
        .put("reason", reason)
        .put("estimated_value", estimatedValue.toPlainString())
        .put("cache_optimized", cacheOptimized)
        .put("cost_penalty", costPenalty.toPlainString());
  }
}
