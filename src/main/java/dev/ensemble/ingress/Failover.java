package dev.ensemble.ingress;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The failover rules of a plain (non-workflow) request, as {@link ChatExchange} applies them: a rate-limited
 * endpoint (429) or a broken key moves the request to another endpoint of the same provider, any other retryable
 * failure to another provider after a jittered exponential backoff; a permanent error is not retried.
 */
final class Failover {

  static final long DEFAULT_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 2_000;

  private Failover() {
  }

  /** The hints for the next decision after {@code failure} on {@code failed}. */
  static RoutingHints after(RoutingHints hints, Selection failed, AttemptFailure failure) {
    boolean sameProvider = failure.errorClass() == ErrorClass.RATE_LIMITED || failure.errorClass() == ErrorClass.KEY_INVALID;
    String cause = failure.errorClass() == ErrorClass.KEY_INVALID ? "auth" : failure.cause();
    return hints.failedOver(failed.endpoint().id(), sameProvider ? null : failed.pool().name(), cause)
        .preferring(sameProvider ? failed.pool().name() : null);
  }

  /** How long to wait before the next attempt: only a retryable provider failure backs off, jittered. */
  static long delayMillis(AttemptFailure failure, int attemptsSoFar) {
    if (failure.errorClass() != ErrorClass.RETRYABLE) {
      return 0;
    }
    long ceiling = Math.min(MAX_BACKOFF_MS, DEFAULT_BACKOFF_MS << Math.min(10, Math.max(0, attemptsSoFar - 1)));
    return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
  }
}
