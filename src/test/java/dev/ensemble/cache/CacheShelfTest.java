package dev.ensemble.cache;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheShelfTest {

  private static CachedAnswer entry(String key, String policy, float[] vector, long expiresAt) {
    return new CachedAnswer(key, policy, "ctx", "prompt " + key, vector,
        new UnifiedResponse("id", "m", List.of(ContentBlock.Text.of("answer " + key)), StopReason.END_TURN, null, new Usage(1L, 2L, null, null)),
        new BigDecimal("0.001"), 0, expiresAt);
  }

  @Test
  void aPolicyKeepsAtMostItsMaxEntriesEvictingTheOldest() throws Exception {
    try (CacheShelf shelf = new CacheShelf(policy -> policy.equals("small") ? 2 : 100)) {
      shelf.put(entry("a", "small", new float[] {1, 0}, Long.MAX_VALUE));
      shelf.put(entry("b", "small", new float[] {0, 1}, Long.MAX_VALUE));
      List<String> evicted = shelf.put(entry("c", "small", new float[] {1, 0}, Long.MAX_VALUE));
      shelf.put(entry("x", "big", null, Long.MAX_VALUE));

      assertEquals(List.of("a"), evicted);
      assertNull(shelf.get("a", 0));
      assertNotNull(shelf.get("b", 0));
      assertEquals(3, shelf.size());
      shelf.indexed().get(10, TimeUnit.SECONDS);
      assertEquals(List.of("c", "b"), shelf.nearest("ctx", new float[] {1, 0}, 4).get().stream().map(SemanticIndex.Match::key).toList(),
          "the evicted entry left the vector index too");
    }
  }

  @Test
  void aSearchIsAnsweredWhileTheWriterIsBusyIndexing() throws Exception {
    try (CacheShelf shelf = new CacheShelf(policy -> 100)) {
      shelf.put(entry("a", "p", new float[] {1, 0}, Long.MAX_VALUE));
      shelf.indexed().get(10, TimeUnit.SECONDS);
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      shelf.queue(() -> {
        busy.countDown();
        awaitQuietly(release);
      });
      shelf.load(List.of(entry("b", "p", new float[] {1, 0}, Long.MAX_VALUE)));
      assertTrue(busy.await(10, TimeUnit.SECONDS));

      List<SemanticIndex.Match> during = shelf.nearest("ctx", new float[] {1, 0}, 4).get(10, TimeUnit.SECONDS);
      release.countDown();
      shelf.indexed().get(10, TimeUnit.SECONDS);
      List<SemanticIndex.Match> after = shelf.nearest("ctx", new float[] {1, 0}, 4).get(10, TimeUnit.SECONDS);

      assertEquals(List.of("a"), during.stream().map(SemanticIndex.Match::key).toList(), "answered from the last refreshed view");
      assertNotNull(shelf.get("b", 0), "a loaded entry is served to exact lookups before it is indexed");
      assertEquals(2, after.size());
    }
  }

  @Test
  void aSearchStartedAfterAPutSeesIt() throws Exception {
    try (CacheShelf shelf = new CacheShelf(policy -> 100)) {
      for (int i = 0; i < 20; i++) {
        double a = i * 0.1;
        float[] v = {(float) Math.cos(a), (float) Math.sin(a)};
        shelf.put(entry("k" + i, "p", v, Long.MAX_VALUE));

        assertEquals("k" + i, shelf.nearest("ctx", v, 1).get(10, TimeUnit.SECONDS).get(0).key());
      }
    }
  }

  @Test
  void anIndexedEntryKeepsItsVectorInTheIndexOnlyAndCanBeSharedWhole() throws Exception {
    try (CacheShelf shelf = new CacheShelf(policy -> 100)) {
      CachedAnswer e = entry("k", "p", new float[] {0.6f, 0.8f}, Long.MAX_VALUE);
      shelf.put(e);
      shelf.indexed().get(10, TimeUnit.SECONDS);
      shelf.put(e);
      shelf.indexed().get(10, TimeUnit.SECONDS);

      assertSame(CachedAnswer.VECTOR_IN_INDEX, shelf.get("k", 0).vector(), "the shelf dropped its copy, also after a repeat");
      assertThrows(IllegalStateException.class, () -> shelf.get("k", 0).toJson());
      CachedAnswer whole = shelf.whole("k", 0);
      assertArrayEquals(e.vector(), whole.vector());
      assertEquals(e.toJson(), whole.toJson());
      assertEquals(List.of("k"), shelf.nearest("ctx", new float[] {0.6f, 0.8f}, 4).get().stream().map(SemanticIndex.Match::key).toList());
    }
  }

  @Test
  void aLoadIsServedAtOnceAndIndexedInBulk() throws Exception {
    try (CacheShelf shelf = new CacheShelf(policy -> 10_000)) {
      List<CachedAnswer> live = new java.util.ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        double a = i * 0.001;
        live.add(entry("e" + i, "p", new float[] {(float) Math.cos(a), (float) Math.sin(a)}, Long.MAX_VALUE));
      }
      shelf.put(entry("e7", "p", new float[] {(float) Math.cos(-1.0), (float) Math.sin(-1.0)}, Long.MAX_VALUE));

      shelf.load(live);
      assertNotNull(shelf.get("e2999", 0));
      shelf.remove("e5");
      shelf.indexed().get(30, TimeUnit.SECONDS);

      assertEquals(2_999, shelf.size());
      assertEquals(List.of("e1000"), shelf.nearest("ctx", new float[] {(float) Math.cos(1.0), (float) Math.sin(1.0)}, 1).get().stream()
          .map(SemanticIndex.Match::key).toList());
      assertEquals(List.of("e7"), shelf.nearest("ctx", new float[] {(float) Math.cos(-1.0), (float) Math.sin(-1.0)}, 1).get().stream().map(SemanticIndex.Match::key).toList(),
          "an entry the shelf held already is kept, not the loaded copy");
      assertNull(shelf.whole("e5", 0));
      assertEquals(0, shelf.indexBacklog());
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void expiredEntriesAreNotServedAndTheSweepRemovesThem() {
    try (CacheShelf shelf = new CacheShelf(policy -> 10)) {
      shelf.put(entry("old", "p", null, 1_000));
      shelf.put(entry("new", "p", null, 5_000));

      assertNull(shelf.get("old", 1_000));
      assertNotNull(shelf.get("new", 1_000));
      assertEquals(1, shelf.sweep(1_000));
      assertEquals(1, shelf.size());
    }
  }

  @Test
  void anEntryTravelsAsJsonUnchanged() {
    CachedAnswer e = entry("k", "route:faq", new float[] {0.6f, 0.8f}, 9_000);
    CachedAnswer back = CachedAnswer.fromJson(new JsonObject(e.toJson().encode()));

    assertEquals(e.key(), back.key());
    assertEquals(e.answer(), back.answer());
    assertArrayEquals(e.vector(), back.vector());
    assertEquals(0, e.costUsd().compareTo(back.costUsd()));
    assertEquals(e.expiresAtMillis(), back.expiresAtMillis());
  }
}
