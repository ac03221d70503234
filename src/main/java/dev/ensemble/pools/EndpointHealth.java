package dev.ensemble.pools;

import io.vertx.core.json.JsonObject;

/**
 * What the pool has seen of one endpoint: attempt counts, the current run of consecutive failures, and the
 * last error. Immutable; the {@link PoolVerticle} replaces it on every outcome.
 */
public record EndpointHealth(
    long attempts, long failures, int consecutiveFailures, int lastStatus, String lastErrorType, long lastSuccessAt, long lastFailureAt) {

  public static final EndpointHealth NEW = new EndpointHealth(0, 0, 0, 0, null, 0, 0);

  public EndpointHealth record(AttemptOutcome outcome, long now) {
    if (outcome.success()) {
      return new EndpointHealth(attempts + 1, failures, 0, outcome.status(), lastErrorType, now, lastFailureAt);
    }
    return new EndpointHealth(attempts + 1, failures + 1, consecutiveFailures + 1, outcome.status(),
        outcome.errorType() != null ? outcome.errorType() : outcome.errorClass().name().toLowerCase(), lastSuccessAt, now);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("attempts", attempts)
        .put("failures", failures)
        .put("consecutive_failures", consecutiveFailures)
        .put("last_status", lastStatus == 0 ? null : lastStatus)
        .put("last_error", lastErrorType)
        .put("last_success_at", lastSuccessAt == 0 ? null : java.time.Instant.ofEpochMilli(lastSuccessAt).toString())
        .put("last_failure_at", lastFailureAt == 0 ? null : java.time.Instant.ofEpochMilli(lastFailureAt).toString());
  }
}
