package dev.ensemble.pools;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * What routing needs to know about one endpoint right now, as its {@link PoolVerticle} last published it.
 * Immutable. The pool publishes a new one when what routing reads (circuit, cooldown, key) changes, so in
 * {@link ProviderPool#health()} the counters are those of that moment; the pool's status builds one from the live
 * counters.
 *
 * @param circuit        {@code closed}, {@code open} or {@code half_open} at the time of publishing; use
 *                       {@link #openUntil} to tell open from half-open later
 * @param openUntil      epoch millis the circuit stays open until, 0 when closed
 * @param cooldownUntil  epoch millis before which the provider asked not to be called (rate limited), 0 if none
 * @param keyDisabled    the endpoint's key was rejected by the provider; it gets no traffic until re-enabled
 */
public record EndpointHealth(
    long attempts, long failures, int consecutiveFailures, int lastStatus, String lastErrorType, long lastSuccessAt,
    long lastFailureAt, String circuit, long openUntil, long cooldownUntil, boolean keyDisabled) {

  public static final EndpointHealth NEW = new EndpointHealth(0, 0, 0, 0, null, 0, 0, "closed", 0, 0, false);

  /** Whether routing may send a request here at {@code now}, probes of a half-open circuit aside. */
  public boolean acceptsTraffic(long now) {
    return !keyDisabled && now >= cooldownUntil && openUntil == 0;
  }

  /** Whether the circuit is open but its open time has passed: one probe may go through. */
  public boolean awaitsProbe(long now) {
    return !keyDisabled && now >= cooldownUntil && openUntil != 0 && now >= openUntil;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("attempts", attempts)
        .put("failures", failures)
        .put("consecutive_failures", consecutiveFailures)
        .put("last_status", lastStatus == 0 ? null : lastStatus)
        .put("last_error", lastErrorType)
        .put("last_success_at", instant(lastSuccessAt))
        .put("last_failure_at", instant(lastFailureAt))
        .put("circuit", circuit)
        .put("open_until", instant(openUntil))
        .put("cooldown_until", instant(cooldownUntil))
        .put("key_disabled", keyDisabled);
  }

  private static String instant(long epochMillis) {
    return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
