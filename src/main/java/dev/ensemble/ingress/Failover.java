package dev.ensemble.ingress;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;

/**
 * The failover rules of a request within one model: a rate-limited endpoint (429) or a broken key moves the request
 * to another endpoint of the same provider, any other retryable failure to another provider after the
 * {@link RetryPolicy}'s backoff; a permanent error is not retried.
 */
final class Failover {

  private Failover() {
  }

  /** The hints for the next decision after {@code failure} on {@code failed}. */
  static RoutingHints after(RoutingHints hints, Selection failed, AttemptFailure failure) {
    boolean sameProvider = failure.errorClass() == ErrorClass.RATE_LIMITED || failure.errorClass() == ErrorClass.KEY_INVALID;
    String cause = failure.errorClass() == ErrorClass.KEY_INVALID ? "auth" : failure.cause();
    return hints.failedOver(failed.endpoint().id(), sameProvider ? null : failed.pool().name(), cause)
        .preferring(sameProvider ? failed.pool().name() : null);
  }
}
