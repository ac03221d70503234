package dev.ensemble.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlidingWindowLogTest {

  private static final long T0 = 1_800_000_000_000L;
  private static final long MINUTE = 60_000;

  @Test
  void admitsExactlyTheLimitInABurstThenRefuses() {
    SlidingWindowLog rpm = new SlidingWindowLog(7, MINUTE);

    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      if (rpm.tryAcquire(T0 + i)) {
        admitted++;
      }
    }

    assertEquals(7, admitted);
    assertEquals(7, rpm.used(T0 + 20));
  }

  @Test
  void aBurstLongerThanAnEmissionIntervalStillAdmitsOnlyTheLimit() {
    SlidingWindowLog rpm = new SlidingWindowLog(100, MINUTE);

    int admitted = 0;
    for (int i = 0; i < 260; i++) {
      if (rpm.tryAcquire(T0 + i * 5L)) {
        admitted++;
      }
    }

    assertEquals(100, admitted, "a 1.3 s burst: GCRA would admit 102");
  }

  @Test
  void capacityReturnsExactlyWhenTheOldestAdmissionAgesOutAndSaysWhen() {
    SlidingWindowLog rpm = new SlidingWindowLog(3, MINUTE);
    assertTrue(rpm.tryAcquire(T0));
    assertTrue(rpm.tryAcquire(T0 + 10_000));
    assertTrue(rpm.tryAcquire(T0 + 25_000));

    assertFalse(rpm.wouldAdmit(T0 + 30_000));
    assertEquals(30_000, rpm.retryAfterMillis(T0 + 30_000));
    assertFalse(rpm.tryAcquire(T0 + 59_999));
    assertEquals(1, rpm.retryAfterMillis(T0 + 59_999));
    assertTrue(rpm.tryAcquire(T0 + 60_000));

    assertFalse(rpm.tryAcquire(T0 + 69_999));
    assertEquals(1, rpm.retryAfterMillis(T0 + 69_999));
    assertTrue(rpm.tryAcquire(T0 + 70_000));
    assertEquals(15_000, rpm.retryAfterMillis(T0 + 70_000));
    assertEquals(3, rpm.used(T0 + 70_000));
    assertEquals(2, rpm.used(T0 + 85_000));
    assertEquals(0, rpm.used(T0 + 130_000));
    assertEquals(0, rpm.retryAfterMillis(T0 + 130_000));
  }

  @Test
  void atNoInstantDoTheAdmissionsOfTheLastMinuteExceedTheLimit() {
    int limit = 50;
    SlidingWindowLog rpm = new SlidingWindowLog(limit, MINUTE);
    Deque<Long> window = new ArrayDeque<>();
    Random random = new Random(42);
    long now = T0;
    int admitted = 0;

    for (int i = 0; i < 20_000; i++) {
      now += random.nextInt(random.nextInt(10) == 0 ? 5_000 : 400);
      while (!window.isEmpty() && window.peekFirst() <= now - MINUTE) {
        window.removeFirst();
      }
      boolean expected = window.size() < limit;
      long retryAfter = rpm.retryAfterMillis(now);

      assertEquals(expected, rpm.tryAcquire(now), "at +" + (now - T0) + " ms with " + window.size() + " in the window");
      if (expected) {
        window.addLast(now);
        admitted++;
        assertEquals(0, retryAfter);
      } else {
        assertEquals(window.peekFirst() + MINUTE - now, retryAfter, "capacity returns when the oldest ages out");
      }
      assertTrue(window.size() <= limit);
      assertEquals(window.size(), rpm.used(now));
    }
    assertTrue(admitted > limit * 10, "the window slid: " + admitted);
  }

  @Test
  void neverAdmitsMoreThanTheLimitUnderContention() throws Exception {
    int limit = 1_000;
    int threads = 4;
    SlidingWindowLog rpm = new SlidingWindowLog(limit, MINUTE);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(pool.submit(() -> {
        start.await();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
          long now = T0 + i * 30L;
          if (rpm.tryAcquire(now)) {
            times.add(now);
          }
        }
        return times;
      }));
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));

    List<Long> admitted = new ArrayList<>();
    for (Future<List<Long>> result : results) {
      admitted.addAll(result.get());
    }
    Collections.sort(admitted);
    int from = 0;
    for (int to = 0; to < admitted.size(); to++) {
      while (admitted.get(from) <= admitted.get(to) - MINUTE) {
        from++;
      }
      assertTrue(to - from + 1 <= limit, (to - from + 1) + " admissions within a minute ending at +" + (admitted.get(to) - T0));
    }
    assertTrue(admitted.size() >= 2 * limit, "capacity came back as the window slid: " + admitted.size());
  }

  @Test
  void aBurstUnderContentionAdmitsExactlyTheLimit() throws Exception {
    for (int limit : new int[] {1, 2, 3, 64}) {
      SlidingWindowLog rpm = new SlidingWindowLog(limit, MINUTE);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          start.await();
          int admitted = 0;
          for (int i = 0; i < 1_000; i++) {
            if (rpm.tryAcquire(T0)) {
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
      assertEquals(limit, admitted, "limit " + limit);
    }
  }

  @Test
  void rejectsLimitsItCannotLog() {
    assertThrows(IllegalArgumentException.class, () -> new SlidingWindowLog(0, MINUTE));
    assertThrows(IllegalArgumentException.class, () -> new SlidingWindowLog(SlidingWindowLog.MAX_LIMIT + 1, MINUTE));
    assertThrows(IllegalArgumentException.class, () -> new SlidingWindowLog(1, 0));
  }
}
