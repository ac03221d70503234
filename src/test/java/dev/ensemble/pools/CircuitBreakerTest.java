package dev.ensemble.pools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CircuitBreakerTest {

  private static final long T0 = 1_800_000_000_000L;

  private final CircuitBreaker breaker = new CircuitBreaker(3, 0.5, 10, 30_000, 5_000, 20_000);

  @Test
  void opensAfterConsecutiveFailuresAndHalfOpensWhenTheOpenTimeIsOver() {
    breaker.onFailure(T0);
    breaker.onFailure(T0);
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state(T0));

    breaker.onFailure(T0);

    assertEquals(CircuitBreaker.State.OPEN, breaker.state(T0 + 4_999));
    assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state(T0 + 5_000));
  }

  @Test
  void successfulProbeClosesAndFailedProbeReopensForTwiceAsLong() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure(T0);
    }

    breaker.onFailure(T0 + 5_000);
    assertEquals(CircuitBreaker.State.OPEN, breaker.state(T0 + 14_999));
    assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state(T0 + 15_000));

    breaker.onSuccess(T0 + 15_000);
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state(T0 + 15_000));
  }

  @Test
  void opensOnErrorRateEvenWithoutAStreak() {
    for (int i = 0; i < 12; i++) {
      if (i % 3 == 0) {
        breaker.onSuccess(T0 + i);
      } else {
        breaker.onFailure(T0 + i);
      }
    }

    assertEquals(CircuitBreaker.State.OPEN, breaker.state(T0 + 12));
  }

  @Test
  void oldOutcomesLeaveTheWindow() {
    alternate(T0);
    breaker.onFailure(T0 + 40_000);
    breaker.onFailure(T0 + 40_000);

    assertEquals(CircuitBreaker.State.CLOSED, breaker.state(T0 + 40_000),
        "two failures 40 s later: the 13 outcomes of 30 s before them no longer count, too few samples for a rate");
  }

  @Test
  void outcomesWithinTheWindowCountTowardsTheErrorRate() {
    alternate(T0);
    breaker.onFailure(T0 + 20_000);
    breaker.onFailure(T0 + 20_000);

    assertEquals(CircuitBreaker.State.OPEN, breaker.state(T0 + 20_000), "8 failures of 15 outcomes within 30 s");
  }

  /**
   * 13 outcomes at {@code at}, success and failure in turn, a success first and last: never a streak, never more than
   * half failed (so the circuit never opens, which would clear the window once a success closes it again).
   */
  private void alternate(long at) {
    for (int i = 0; i < 13; i++) {
      if (i % 2 == 0) {
        breaker.onSuccess(at);
      } else {
        breaker.onFailure(at);
      }
    }
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state(at));
  }
}
