package dev.ensemble.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointLimiterTest {

  private static final long T0 = 1_800_000_000_000L;

  @Test
  void takesBothOrNothing() {
    EndpointLimiter limiter = new EndpointLimiter(10, 1_000);

    assertTrue(limiter.tryAdmit(900, T0));
    assertFalse(limiter.tryAdmit(200, T0), "token limit");
    assertEquals(0.9, limiter.utilisation(T0), 0.001);
    for (int i = 0; i < 9; i++) {
      assertTrue(limiter.tryAdmit(0, T0));
    }
    assertFalse(limiter.tryAdmit(0, T0), "request limit");
    assertFalse(limiter.tryAdmit(50, T0), "request limit");
    assertEquals(900, limiter.tokensUsed(T0), 1, "refusals on requests took no tokens");
  }

  @Test
  void requestsAreASlidingWindowAndTokensABucket() {
    EndpointLimiter limiter = new EndpointLimiter(2, 6_000);
    assertTrue(limiter.tryAdmit(3_000, T0));
    assertTrue(limiter.tryAdmit(3_000, T0 + 20_000));

    assertFalse(limiter.hasCapacity(0, T0 + 30_000));
    assertEquals(30_000, limiter.retryAfterMillis(0, T0 + 30_000), "when the first request turns a minute old");
    assertEquals(1.0, limiter.utilisation(T0 + 30_000), 1e-9);
    assertTrue(limiter.tryAdmit(0, T0 + 60_000));
    assertFalse(limiter.tryAdmit(0, T0 + 60_000));
    assertEquals(20_000, limiter.retryAfterMillis(0, T0 + 60_000));
    assertEquals(10_000, limiter.retryAfterMillis(5_000, T0 + 70_000), "tokens refill at 100/s: 4000 used of 6000");
  }

  @Test
  void givesBackTokensButNeverRequests() {
    EndpointLimiter limiter = new EndpointLimiter(2, 1_000);
    assertTrue(limiter.tryAdmit(800, T0));

    limiter.giveBackTokens(800, T0);

    assertTrue(limiter.tryAdmit(1_000, T0));
    assertFalse(limiter.tryAdmit(0, T0), "both requests still count");
    limiter.correctTokens(-500, T0);
    assertEquals(1.0, limiter.utilisation(T0), 1e-9);
  }

  @Test
  void neverAdmitsMoreThanEitherLimitUnderContentionAndLeaksNoTokens() throws Exception {
    EndpointLimiter limiter = new EndpointLimiter(100, 1_000_000);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      results.add(pool.submit(() -> {
        start.await();
        int admitted = 0;
        for (int i = 0; i < 1_000; i++) {
          if (limiter.tryAdmit(1_000, T0)) {
            admitted++;
          }
        }
        return admitted;
      }));
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));

    int admitted = 0;
    for (Future<Integer> result : results) {
      admitted += result.get();
    }
    assertEquals(100, admitted);
    assertEquals(100_000, limiter.tokensUsed(T0), 1, "the tokens of requests refused by the window were given back");
  }

  @Test
  void unlimitedEndpointsAlwaysAdmit() {
    EndpointLimiter limiter = new EndpointLimiter(null, null);

    assertTrue(limiter.tryAdmit(Long.MAX_VALUE, T0));
    assertEquals(0, limiter.utilisation(T0));
    assertEquals(0, limiter.retryAfterMillis(1, T0));
  }
}
