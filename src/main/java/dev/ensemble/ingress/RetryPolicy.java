package dev.ensemble.ingress;

import dev.ensemble.config.RouteConfig;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongBinaryOperator;

/**
 * How many times one model of a request is tried and how long a retryable failure waits before the next try: a
 * workflow route's {@code retry:} ({@code max_attempts}, {@code initial_backoff_ms}, {@code jitter}), or the defaults
 * of a plain request (4 attempts, 100 ms, jittered). The wait doubles with each attempt of the model, up to
 * {@value #MAX_BACKOFF_MS} ms (or the initial backoff when that is longer); with jitter it is drawn uniformly between
 * half of that and all of it. Immutable.
 */
record RetryPolicy(int maxAttempts, long initialBackoffMs, boolean jitter) {

  static final long MAX_BACKOFF_MS = 2_000;
  static final RetryPolicy DEFAULT = new RetryPolicy(4, 100, true);

  static RetryPolicy of(RouteConfig route) {
    if (route == null) {
      return DEFAULT;
    }
    RouteConfig.Retry retry = route.retry();
    return new RetryPolicy(retry.maxAttempts(), Math.max(1, retry.initialBackoffMs()), retry.jitter());
  }

  /** The wait after the {@code attemptsOfModel}-th attempt of a model failed retryably. */
  long backoffMillis(int attemptsOfModel) {
    return backoffMillis(attemptsOfModel, (from, to) -> ThreadLocalRandom.current().nextLong(from, to + 1));
  }

  /** The same, drawing the jitter from {@code uniform} (lower bound, upper bound inclusive). */
  long backoffMillis(int attemptsOfModel, LongBinaryOperator uniform) {
    long cap = Math.max(MAX_BACKOFF_MS, initialBackoffMs);
    int doublings = Math.min(10, Math.max(0, attemptsOfModel - 1));
    long ceiling = Math.min(cap, initialBackoffMs << doublings);
    return jitter ? uniform.applyAsLong(ceiling / 2, ceiling) : ceiling;
  }
}
