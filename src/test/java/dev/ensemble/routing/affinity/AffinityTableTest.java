package dev.ensemble.routing.affinity;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AffinityTableTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final int TTL = 300;

  @Test
  void findsWhatWasPut() {
    AffinityTable table = new AffinityTable(1 << 10);
    table.put(42L, 3, TTL, NOW);
    table.put(43L, 5, TTL, NOW);

    assertEquals(3, table.lookup(42L, NOW));
    assertEquals(5, table.lookup(43L, NOW + 1_000));
    assertEquals(-1, table.lookup(44L, NOW));
    assertEquals(2, table.size());
  }

  @Test
  void zeroAndExtremeFingerprintsAreOrdinaryKeys() {
    AffinityTable table = new AffinityTable(1 << 10);
    table.put(0L, 1, TTL, NOW);
    table.put(-1L, 2, TTL, NOW);
    table.put(Long.MIN_VALUE, AffinityTable.MAX_DOMAINS - 1, TTL, NOW);

    assertEquals(1, table.lookup(0L, NOW));
    assertEquals(2, table.lookup(-1L, NOW));
    assertEquals(AffinityTable.MAX_DOMAINS - 1, table.lookup(Long.MIN_VALUE, NOW));
  }

  @Test
  void entriesExpireAfterTheirTtl() {
    AffinityTable table = new AffinityTable(1 << 10);
    table.put(7L, 1, TTL, NOW);

    assertEquals(1, table.lookup(7L, NOW + TTL * 1_000L - 1_000));
    assertEquals(-1, table.lookup(7L, NOW + TTL * 1_000L));
  }

  @Test
  void refreshExtendsExpiryAndTakesTheNewDomain() {
    AffinityTable table = new AffinityTable(1 << 10);
    table.put(7L, 1, TTL, NOW);
    table.put(7L, 2, TTL, NOW + 200_000);

    assertEquals(2, table.lookup(7L, NOW + 400_000));
    assertEquals(1, table.size());
  }

  @Test
  void refreshNeverShortensExpiry() {
    AffinityTable table = new AffinityTable(1 << 10);
    table.put(7L, 1, 3_600, NOW);
    table.put(7L, 1, 5, NOW);

    assertEquals(1, table.lookup(7L, NOW + 1_000_000));
  }

  @Test
  void longestReturnsTheFirstLiveCheckpoint() {
    AffinityTable table = new AffinityTable(1 << 10);
    table.put(30L, 4, 10, NOW);
    table.put(20L, 5, TTL, NOW);
    table.put(10L, 6, TTL, NOW);
    long[] hashes = {40L, 30L, 20L, 10L};
    int[] tokens = {4_000, 3_000, 2_000, 1_000};

    assertEquals(new AffinityTable.Hit(4, 3_000, 1), table.longest(hashes, tokens, NOW));
    assertEquals(new AffinityTable.Hit(5, 2_000, 2), table.longest(hashes, tokens, NOW + 20_000));
    assertNull(table.longest(new long[] {40L, 50L}, new int[] {2, 1}, NOW));
    assertNull(table.longest(new long[0], new int[0], NOW));
  }

  @Test
  void expiredSlotsAreReusedWithoutEviction() {
    AffinityTable table = new AffinityTable(16);
    for (long k = 1; k <= 16; k++) {
      table.put(k, 1, 10, NOW);
    }
    for (long k = 101; k <= 116; k++) {
      table.put(k, 2, TTL, NOW + 60_000);
    }

    assertEquals(0, table.evictions());
    assertEquals(16, table.size());
    for (long k = 101; k <= 116; k++) {
      assertEquals(2, table.lookup(k, NOW + 60_000));
    }
  }

  @Test
  void fullWindowEvictsTheEarliestExpiry() {
    AffinityTable table = new AffinityTable(16);
    for (long k = 1; k <= 16; k++) {
      table.put(k, (int) k, TTL + (int) k, NOW);
    }
    table.put(99L, 99, TTL, NOW + 1_000);

    assertEquals(1, table.evictions());
    assertEquals(-1, table.lookup(1L, NOW), "the entry expiring first");
    assertEquals(99, table.lookup(99L, NOW + 1_000));
    for (long k = 2; k <= 16; k++) {
      assertEquals((int) k, table.lookup(k, NOW));
    }
  }

  @Test
  void memoryStaysBoundedUnderTenTimesCapacityOfKeys() {
    int capacity = 1 << 12;
    AffinityTable table = new AffinityTable(capacity);
    SplittableRandom random = new SplittableRandom(1);
    long last = 0;
    for (int i = 0; i < capacity * 10; i++) {
      last = random.nextLong();
      table.put(last, i & 0xFFFFF, TTL, NOW + i);
    }

    assertTrue(table.size() <= capacity, "size " + table.size());
    assertTrue(table.size() > capacity * 9 / 10, "the table fills up: " + table.size());
    assertTrue(table.evictions() >= capacity * 9L - capacity / 10, "evictions " + table.evictions());
    assertEquals((capacity * 10 - 1) & 0xFFFFF, table.lookup(last, NOW + capacity * 10L));
  }

  @Test
  void rejectsInvalidArguments() {
    assertThrows(IllegalArgumentException.class, () -> new AffinityTable(1000));
    assertThrows(IllegalArgumentException.class, () -> new AffinityTable(8));
    AffinityTable table = new AffinityTable(16);
    assertThrows(IllegalArgumentException.class, () -> table.put(1L, AffinityTable.MAX_DOMAINS, TTL, NOW));
    assertThrows(IllegalArgumentException.class, () -> table.put(1L, -1, TTL, NOW));
    assertThrows(IllegalArgumentException.class, () -> table.put(1L, 1, -1, NOW));
  }

  @Test
  void concurrentReadersNeverSeeAValueOfAnotherKey() throws Exception {
    AffinityTable table = new AffinityTable(16);
    int keys = 64;
    int writes = 2_000_000;
    int readers = 3;
    int readsPerReader = 2_000_000;
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicLong hits = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    threads.add(new Thread(() -> {
      await(start);
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < writes; i++) {
        long key = 1 + random.nextInt(keys);
        table.put(key, domainOf(key), 1 + random.nextInt(TTL), NOW);
      }
    }));
    for (int r = 0; r < readers; r++) {
      long seed = r;
      threads.add(new Thread(() -> {
        await(start);
        SplittableRandom random = new SplittableRandom(seed);
        long seen = 0;
        for (int i = 0; i < readsPerReader && failure.get() == null; i++) {
          long key = 1 + random.nextInt(keys);
          int domain = table.lookup(key, NOW);
          if (domain != -1) {
            seen++;
            if (domain != domainOf(key)) {
              failure.compareAndSet(null, "key " + key + " read domain " + domain + ", expected " + domainOf(key));
            }
          }
        }
        hits.addAndGet(seen);
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }

    assertNull(failure.get());
    assertTrue(hits.get() > 0, "readers found entries");
    assertTrue(table.size() <= table.capacity());
  }

  private static int domainOf(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> 44);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
