package dev.ensemble.ingress;

import dev.ensemble.model.Usage;

import java.math.BigDecimal;

/**
 * How one upstream attempt ended. Either {@code failure} is set (nothing reached the client: the request may
 * fail over), or the attempt owned the client's response to its end: {@code clientStatus} is what the
 * client got (200 for a stream even if it later carried an error event) and {@code answered} whether an
 * answer was produced that tokens were paid for, and {@code cost} the price of its {@code usage} (null for a failure:
 * the exchange prices it), computed once per attempt.
 */
record AttemptResult(AttemptFailure failure, int clientStatus, boolean answered, Usage usage, BigDecimal cost, long timeToFirstByteMs) {

  static AttemptResult failed(AttemptFailure failure) {
    return new AttemptResult(failure, 0, false, Usage.UNKNOWN, null, -1);
  }

  boolean canFailOver() {
    return failure != null;
  }
}
