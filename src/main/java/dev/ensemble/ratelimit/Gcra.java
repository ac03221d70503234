package dev.ensemble.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One rate limit as a generic cell rate algorithm (GCRA), i.e. a token bucket: {@code limit} units per
 * {@code periodMillis}, with bursts up to the whole limit and capacity then returning continuously at
 * {@code limit} per period. The entire state is one theoretical arrival time (TAT), advanced with a
 * compare-and-set, so any thread may admit without a lock: a request of {@code cost} units is admitted only if,
 * after it, no more than {@code limit} units are in the bucket.
 *
 * <p>Used for tokens per minute, which is how providers meter tokens: it needs O(1) memory, admits variable
 * costs (estimated tokens) exactly, can take back or add units after the fact (an estimate corrected from
 * reported usage), and says precisely when capacity returns ({@link #retryAfterMillis}). It is not a sliding
 * window: a full burst followed by the continuous refill lets up to about twice the limit through in some
 * 60-second windows, which is why requests per minute use {@link SlidingWindowLog} instead. The same
 * arithmetic runs for tokens in the Redis limiter's {@link LimitScript}.
 */
public final class Gcra {

  private static final VarHandle TAT;

  static {
    try {
      TAT = MethodHandles.lookup().findVarHandle(Gcra.class, "tat", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long limit;
  private final double nanosPerUnit;
  private final long periodNanos;
  /**
   * Theoretical arrival time, in nanoseconds on the caller's millisecond clock times 10^6. A plain volatile
   * field with a {@link VarHandle} for the compare-and-set, so reading it touches this object only.
   */
  private volatile long tat;

  public Gcra(long limit, long periodMillis) {
    if (limit <= 0 || periodMillis <= 0) {
      throw new IllegalArgumentException("limit and period must be > 0");
    }
    this.limit = limit;
    this.periodNanos = periodMillis * 1_000_000;
    this.nanosPerUnit = (double) periodNanos / limit;
  }

  public long limit() {
    return limit;
  }

  /** Admits {@code cost} units at {@code now}, or returns false and changes nothing. */
  public boolean tryAcquire(long cost, long nowMillis) {
    long now = nowMillis * 1_000_000;
    long increment = increment(cost);
    while (true) {
      long current = tat;
      long next = Math.max(current, now) + increment;
      if (next - now > periodNanos) {
        return false;
      }
      if (TAT.compareAndSet(this, current, next)) {
        return true;
      }
    }
  }

  /** Whether {@code cost} units would be admitted at {@code now} (a read; nothing is taken). */
  public boolean wouldAdmit(long cost, long nowMillis) {
    long now = nowMillis * 1_000_000;
    return Math.max(tat, now) + increment(cost) - now <= periodNanos;
  }

  /**
   * Corrects an earlier admission by {@code delta} units (positive: it used more than estimated; negative: less).
   * Never moves the state before {@code now}, so returned capacity cannot be banked for later.
   */
  public void adjust(long delta, long nowMillis) {
    long now = nowMillis * 1_000_000;
    if (delta == 0) {
      return;
    }
    long increment = increment(Math.abs(delta));
    while (true) {
      long current = tat;
      long base = Math.max(current, now);
      long next = delta > 0 ? base + increment : Math.max(now, base - increment);
      if (TAT.compareAndSet(this, current, next)) {
        return;
      }
    }
  }

  /** Units admitted and still inside the window at {@code now}, from 0 to {@code limit}. */
  public double used(long nowMillis) {
    long ahead = Math.max(0, tat - nowMillis * 1_000_000);
    return Math.min(limit, ahead / nanosPerUnit);
  }

  /** How long until {@code cost} units would be admitted; 0 if now. */
  public long retryAfterMillis(long cost, long nowMillis) {
    long now = nowMillis * 1_000_000;
    long wait = Math.max(tat, now) + increment(cost) - now - periodNanos;
    return wait <= 0 ? 0 : (wait + 999_999) / 1_000_000;
  }

  private long increment(long cost) {
    return (long) (Math.min(cost, limit) * nanosPerUnit);
  }
}
