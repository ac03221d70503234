package dev.ensemble.pools;

import java.util.ArrayDeque;

/**
 * The circuit of one endpoint: closed (traffic flows), open (no traffic until {@link #openUntil()}), and
 * half-open once that time has passed, when a single probe request decides: success closes the circuit,
 * failure opens it again for twice as long (up to {@code maxOpenMillis}).
 *
 * <p>It opens after {@code failureThreshold} consecutive failures, or when at least {@code minSamples}
 * outcomes of the last {@code windowMillis} include more than {@code maxErrorRate} failures. Only failures
 * that say something about the endpoint count (server errors, timeouts, broken connections), not rate limits
 * or the client's own bad requests. Owned by the provider's {@link PoolVerticle}: one thread, no locks.
 */
final class CircuitBreaker {

  enum State { CLOSED, OPEN, HALF_OPEN }

  /** Outcomes kept for the error rate, at most (the most recent win). */
  private static final int MAX_SAMPLES = 1_000;

  private final int failureThreshold;
  private final double maxErrorRate;
  private final int minSamples;
  private final long windowMillis;
  private final long baseOpenMillis;
  private final long maxOpenMillis;
  private final ArrayDeque<long[]> window = new ArrayDeque<>();
  private int consecutiveFailures;
  private long openMillis;
  private long openUntil;
  private boolean open;

  CircuitBreaker(int failureThreshold, double maxErrorRate, int minSamples, long windowMillis, long baseOpenMillis, long maxOpenMillis) {
    this.failureThreshold = failureThreshold;
    this.maxErrorRate = maxErrorRate;
    this.minSamples = minSamples;
    this.windowMillis = windowMillis;
    this.baseOpenMillis = baseOpenMillis;
    this.maxOpenMillis = maxOpenMillis;
    this.openMillis = baseOpenMillis;
  }

  static CircuitBreaker defaults() {
    return new CircuitBreaker(5, 0.5, 10, 30_000, 5_000, 300_000);
  }

  void onSuccess(long now) {
    consecutiveFailures = 0;
    if (open) {
      open = false;
      openMillis = baseOpenMillis;
      window.clear();
    }
    sample(now, false);
  }

  void onFailure(long now) {
    consecutiveFailures++;
    if (open) {
      if (now >= openUntil) {
        openMillis = Math.min(maxOpenMillis, openMillis * 2);
        openUntil = now + openMillis;
      }
      return;
    }
    sample(now, true);
    if (consecutiveFailures >= failureThreshold || errorRateExceeded()) {
      open = true;
      openUntil = now + openMillis;
    }
  }

  State state(long now) {
    if (!open) {
      return State.CLOSED;
    }
    return now >= openUntil ? State.HALF_OPEN : State.OPEN;
  }

  long openUntil() {
    return open ? openUntil : 0;
  }

  private void sample(long now, boolean failed) {
    window.addLast(new long[] {now, failed ? 1 : 0});
    if (window.size() > MAX_SAMPLES) {
      window.removeFirst();
    }
    while (!window.isEmpty() && window.peekFirst()[0] < now - windowMillis) {
      window.removeFirst();
    }
  }

  private boolean errorRateExceeded() {
    if (window.size() < minSamples) {
      return false;
    }
    long failures = 0;
    for (long[] s : window) {
      failures += s[1];
    }
    return (double) failures / window.size() > maxErrorRate;
  }
}
