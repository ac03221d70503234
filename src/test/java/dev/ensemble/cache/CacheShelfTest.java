package dev.ensemble.cache;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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
      assertEquals(List.of("c", "b"), shelf.nearest("ctx", new float[] {1, 0}, 4).get().stream().map(SemanticIndex.Match::key).toList(),
          "the evicted entry left the vector index too");
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
