package dev.ensemble.pools;

import dev.ensemble.model.ErrorClass;

/**
 * The mutable record of one endpoint inside its {@link PoolVerticle}: counters, circuit breaker, cooldown
 * and key state, turned into an immutable {@link EndpointHealth} after every change. Verticle thread only.
 */
final class EndpointState {

  /** Cooldown after a 429 whose response said nothing about when to come back. */
  static final long DEFAULT_COOLDOWN_MILLIS = 1_000;

  private final CircuitBreaker breaker = CircuitBreaker.defaults();
  private long attempts;
  private long failures;
  private int consecutiveFailures;
  private int lastStatus;
  private String lastErrorType;
  private long lastSuccessAt;
  private long lastFailureAt;
  private long cooldownUntil;
  private boolean keyDisabled;

  void record(AttemptOutcome outcome, long now) {
    attempts++;
    lastStatus = outcome.status();
    if (outcome.success()) {
      consecutiveFailures = 0;
      lastSuccessAt = now;
      breaker.onSuccess(now);
      if (outcome.retryAfterMillis() != null) {
        cooldownUntil = Math.max(cooldownUntil, now + outcome.retryAfterMillis());
      }
      return;
    }
    failures++;
    consecutiveFailures++;
    lastFailureAt = now;
    lastErrorType = outcome.errorType() != null ? outcome.errorType() : outcome.errorClass().name().toLowerCase();
    if (outcome.errorClass() == ErrorClass.RATE_LIMITED) {
      long wait = outcome.retryAfterMillis() == null ? DEFAULT_COOLDOWN_MILLIS : outcome.retryAfterMillis();
      cooldownUntil = Math.max(cooldownUntil, now + wait);
    } else if (outcome.errorClass() == ErrorClass.RETRYABLE) {
      breaker.onFailure(now);
    }
  }

  /**
   * Applies what another node learnt of this endpoint: the provider's wait after a 429 (or after a success that
   * used up the key's capacity). Counters and the circuit stay this node's own.
   */
  void recordPeer(AttemptOutcome outcome, long now) {
    if (outcome.errorClass() == ErrorClass.RATE_LIMITED) {
      long wait = outcome.retryAfterMillis() == null ? DEFAULT_COOLDOWN_MILLIS : outcome.retryAfterMillis();
      cooldownUntil = Math.max(cooldownUntil, now + wait);
    } else if (outcome.success() && outcome.retryAfterMillis() != null) {
      cooldownUntil = Math.max(cooldownUntil, now + outcome.retryAfterMillis());
    }
  }

  void disableKey() {
    keyDisabled = true;
  }

  void enableKey() {
    keyDisabled = false;
  }

  /** Whether {@code published} still says what routing and the gauges read of this endpoint: key, cooldown, circuit. */
  boolean routesAs(EndpointHealth published, long now) {
    if (published.keyDisabled() != keyDisabled || published.cooldownUntil() != cooldownUntil
        || published.openUntil() != breaker.openUntil()) {
      return false;
    }
    return breaker.openUntil() == 0 || published.circuit().equals(breaker.state(now).name().toLowerCase());
  }

  EndpointHealth snapshot(long now) {
    return new EndpointHealth(attempts, failures, consecutiveFailures, lastStatus, lastErrorType, lastSuccessAt, lastFailureAt,
        breaker.state(now).name().toLowerCase(), breaker.openUntil(), cooldownUntil, keyDisabled);
  }
}
