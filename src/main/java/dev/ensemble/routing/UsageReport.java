package dev.ensemble.routing;

import dev.ensemble.model.Usage;

import java.math.BigDecimal;

/**
 * What one upstream attempt of a request cost and where it ran; handed to the router after every attempt
 * ({@link ModelRouter#learn}), published on {@link dev.ensemble.bus.Addresses#ROUTING_USAGE} once it learnt from it.
 *
 * @param attempt         1 for the first try of the request, 2 for its first failover, ...
 * @param costUsd         the USD cost of {@code usage} at the catalog prices of the model at that provider
 * @param status          the status the client got, or would have got had this attempt been the last
 * @param answered        whether the upstream produced an answer (tokens were paid for)
 * @param estimatedTokens the tokens admitted against the endpoint's limits when it was chosen
 * @param plan            what routing expected of the provider's prompt cache, or null
 */
public record UsageReport(
    String requestId, int attempt, String provider, String endpointId, String model, Usage usage, BigDecimal costUsd, int status,
    boolean answered,
    long timeToFirstByteMs, long finishedAtMillis, long estimatedTokens, CachePlan plan) {

  /** Whether the request taught cache affinity: answered, and its plan wrote a prefix or counted on a hit. */
  public boolean teachesAffinity() {
    return answered && endpointId != null && plan != null && (plan.writeHashes().length > 0 || plan.predictedHit());
  }
}
