package dev.ensemble.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcraTest {

  private static final long T0 = 1_800_000_000_000L;

  @Test
  void admitsExactlyTheLimitInABurstThenRefuses() {
    Gcra rpm = new Gcra(7, 60_000);

    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      if (rpm.tryAcquire(1, T0)) {
        admitted++;
      }
    }

    assertEquals(7, admitted);
  }

  @Test
  void capacityReturnsAtTheRateAndSaysWhen() {
    Gcra rpm = new Gcra(60, 60_000);
    for (int i = 0; i < 60; i++) {
      assertTrue(rpm.tryAcquire(1, T0));
    }

    assertFalse(rpm.tryAcquire(1, T0));
    assertEquals(1_000, rpm.retryAfterMillis(1, T0));
    assertFalse(rpm.tryAcquire(1, T0 + 999));
    assertTrue(rpm.tryAcquire(1, T0 + 1_000));
  }

  @Test
  void tokenCostsAreCountedExactlyAndCanBeCorrected() {
    Gcra tpm = new Gcra(100_000, 60_000);

    assertTrue(tpm.tryAcquire(60_000, T0));
    assertFalse(tpm.wouldAdmit(50_000, T0));
    tpm.adjust(-20_000, T0);
    assertTrue(tpm.tryAcquire(50_000, T0));
    assertEquals(90_000, tpm.used(T0), 1);
  }

  @Test
  void neverAdmitsMoreThanTheLimitUnderContention() throws Exception {
    Gcra rpm = new Gcra(1_000, 60_000);
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 4; t++) {
      pool.submit(() -> {
        start.await();
        for (int i = 0; i < 1_000; i++) {
          if (rpm.tryAcquire(1, T0)) {
            admitted.incrementAndGet();
          }
        }
        return null;
      });
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));

    assertEquals(1_000, admitted.get());
  }
}
