package dev.ensemble.ingress;

import dev.ensemble.config.RouteConfig;
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

  /**
   * Whether a workflow route goes back to the endpoints it already tried: its model has no untried endpoint left, the
   * failure is retryable (a 5xx, overload or timeout; a 429 waits for its cooldown instead) and {@code retry.max_attempts}
   * allows another attempt. A plain request (no route) only fails over.
   */
  static boolean retriesTried(RouteConfig route, RetryPolicy retry, int attemptsOfModel, AttemptFailure failure) {
    return route != null && attemptsOfModel < retry.maxAttempts() && failure.errorClass() == ErrorClass.RETRYABLE;
  }

  /** The hints for the next decision after {@code failure} on {@code failed}. */
  static RoutingHints after(RoutingHints hints, Selection failed, AttemptFailure failure) {
    boolean sameProvider = failure.errorClass() == ErrorClass.RATE_LIMITED || failure.errorClass() == ErrorClass.KEY_INVALID;
    String cause = failure.errorClass() == ErrorClass.KEY_INVALID ? "auth" : failure.cause();
    return hints.failedOver(failed.endpoint().id(), sameProvider ? null : failed.pool().name(), cause)
        .preferring(sameProvider ? failed.pool().name() : null);
  }
}
