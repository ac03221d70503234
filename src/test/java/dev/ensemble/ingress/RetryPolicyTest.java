package dev.ensemble.ingress;

import dev.ensemble.config.ResponseCacheConfig;
import dev.ensemble.config.RouteConfig;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

  private static RetryPolicy route(int maxAttempts, long initialBackoffMs, boolean jitter) {
    return RetryPolicy.of(new RouteConfig("r", "m", List.of(), new RouteConfig.Retry(maxAttempts, initialBackoffMs, jitter),
        ResponseCacheConfig.NONE, 1000, ""));
  }

  @Test
  void withoutJitterTheBackoffStartsAtTheInitialBackoffAndDoubles() {
    RetryPolicy policy = route(5, 250, false);

    assertEquals(250, policy.backoffMillis(1));
    assertEquals(500, policy.backoffMillis(2));
    assertEquals(1000, policy.backoffMillis(3));
    assertEquals(2000, policy.backoffMillis(4));
    assertEquals(2000, policy.backoffMillis(5), "capped at 2 s");
  }

  @Test
  void anInitialBackoffAboveTheCapIsKept() {
    assertEquals(5000, route(3, 5000, false).backoffMillis(2));
  }

  @Test
  void withJitterTheBackoffIsDrawnBetweenHalfAndAllOfIt() {
    RetryPolicy policy = route(3, 400, true);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      long wait = policy.backoffMillis(2);
      assertTrue(wait >= 400 && wait <= 800, "wait " + wait);
      seen.add(wait);
    }
    assertTrue(seen.size() > 1, "jittered waits differ");
    assertEquals(400, policy.backoffMillis(2, (from, to) -> from));
    assertEquals(800, policy.backoffMillis(2, (from, to) -> to));
  }

  @Test
  void aPlainRequestHasFourAttemptsAndAJitteredHundredMilliseconds() {
    assertEquals(4, RetryPolicy.of(null).maxAttempts());
    assertEquals(100, RetryPolicy.of(null).backoffMillis(1, (from, to) -> to));
    assertEquals(50, RetryPolicy.of(null).backoffMillis(1, (from, to) -> from));
  }
}
