package dev.ensemble.ratelimit;

/**
 * A rate limiter's answer for one request.
 *
 * @param admitted         whether the request may go to the endpoint now (its units are then taken)
 * @param retryAfterMillis when refused, how long until the same request would fit; 0 when admitted
 * @param exact            whether the decision came from the authoritative count (Redis across nodes, or the
 *                         in-process count on a node without Redis) rather than from a degraded local fair share
 */
public record Admission(boolean admitted, long retryAfterMillis, boolean exact) {

  public static Admission admit(boolean exact) {
    return new Admission(true, 0, exact);
  }

  public static Admission refuse(long retryAfterMillis, boolean exact) {
    return new Admission(false, Math.max(0, retryAfterMillis), exact);
  }

  /** The same decision, marked as coming from a local fair share. */
  Admission inexact() {
    return exact ? new Admission(admitted, retryAfterMillis, false) : this;
  }
}
