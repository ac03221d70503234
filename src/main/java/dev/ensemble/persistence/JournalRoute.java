package dev.ensemble.persistence;

import dev.ensemble.config.ModelConfig;
import io.vertx.core.json.JsonObject;

/**
 * An attempt of an answer as routed: rendered by the writer thread, its prices once per distinct {@code pricing}.
 *
 * @param pricing the prices the answer is accounted with (a configuration's, the same object for every attempt
 *                routed to that model and endpoint); null for none
 */
public record JournalRoute(String provider, String endpoint, String upstreamModel, int attempts, String reason, long inputEstimate,
    ModelConfig.Pricing pricing) {

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("provider", provider).put("endpoint", endpoint).put("upstream_model", upstreamModel)
        .put("attempts", attempts).put("reason", reason).put("input_estimate", inputEstimate);
    return pricing == null ? json : json.put("pricing", pricingJson(pricing));
  }

  static JsonObject pricingJson(ModelConfig.Pricing p) {
    return new JsonObject().put("input", p.input().toPlainString()).put("output", p.output().toPlainString())
        .put("cache_read", p.cacheRead().toPlainString()).put("cache_write", p.cacheWrite().toPlainString());
  }
}
