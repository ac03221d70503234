package dev.ensemble.pools;

import dev.ensemble.model.ErrorClass;

/**
 * The result of one upstream attempt, published to the pool of its provider.
 *
 * @param status     the upstream HTTP status, or 0 when no response arrived
 * @param errorClass       null on success
 * @param retryAfterMillis how long the provider asked us to stay away: after a 429, or after a success whose
 *                         rate-limit headers say the key's capacity is used up; null otherwise
 */
public record AttemptOutcome(
    String provider, String endpointId, int status, ErrorClass errorClass, String errorType, Long retryAfterMillis, long latencyMs) {

  public boolean success() {
    return errorClass == null;
  }
}
