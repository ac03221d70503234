package dev.ensemble.cache;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.nio.ByteBuffer;

/**
 * One cache entry: a complete, successful answer and what it is filed under. Immutable; its JSON form
 * ({@link #toJson()} / {@link #fromJson}) is what nodes share.
 *
 * @param key            the exact key (also the entry's id)
 * @param policy         the policy that stored it ({@code route:<name>} or {@code model:<name>})
 * @param contextKey     what a semantic hit must match exactly (everything but the last user turn)
 * @param prompt         the last user turn, for the semantic guards and audits
 * @param vector         its unit-length embedding, or null (exact policies); on a node's shelf, once indexed,
 *                       {@link #VECTOR_IN_INDEX}: the vector is then held only by the node's Lucene index
 *                       ({@link CacheShelf#whole} reads it back)
 * @param answer         the answer as the upstream gave it, usage included
 * @param costUsd        what the answer cost upstream: what each hit saves
 * @param storedAtMillis when it was stored
 * @param expiresAtMillis when it stops being served
 */
public record CachedAnswer(String key, String policy, String contextKey, String prompt, float[] vector, UnifiedResponse answer,
    BigDecimal costUsd, long storedAtMillis, long expiresAtMillis) {

  /** The vector of a shelf's entry whose vector lives in the node's index only (never shared as such). */
  public static final float[] VECTOR_IN_INDEX = new float[0];

  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  /** Whole seconds since the entry was stored (the {@code Age} of a hit). */
  public long ageSeconds(long nowMillis) {
    return Math.max(0, (nowMillis - storedAtMillis) / 1000);
  }

  /** The same entry with {@code v} as its vector. */
  public CachedAnswer withVector(float[] v) {
    return new CachedAnswer(key, policy, contextKey, prompt, v, answer, costUsd, storedAtMillis, expiresAtMillis);
  }

  /** Its shared form; an entry whose vector is in the index only must be made {@link CacheShelf#whole} first. */
  public JsonObject toJson() {
    if (vector == VECTOR_IN_INDEX) {
      throw new IllegalStateException("entry " + key + " holds no vector (it is in the node's index): share CacheShelf.whole(key)");
    }
    JsonArray content = new JsonArray();
    for (ContentBlock block : answer.content()) {
      if (block instanceof ContentBlock.Text t) {
        content.add(new JsonObject().put("type", "text").put("text", t.text()));
      } else if (block instanceof ContentBlock.ToolUse u) {
        content.add(new JsonObject().put("type", "tool_use").put("id", u.id()).put("name", u.name()).put("input", u.inputJson()));
      } else if (block instanceof ContentBlock.Thinking t) {
        content.add(new JsonObject().put("type", "thinking").put("thinking", t.thinking()).put("signature", t.signature())
            .put("redacted", t.redactedData()));
      }
    }
    return new JsonObject().put("key", key).put("policy", policy).put("context", contextKey).put("prompt", prompt)
        .put("vector", vector == null ? null : encode(vector))
        .put("id", answer.id()).put("model", answer.model()).put("content", content)
        .put("stop_reason", answer.stopReason() == null ? null : answer.stopReason().name())
        .put("stop_sequence", answer.stopSequence()).put("usage", answer.usage().toJson())
        .put("cost_usd", costUsd.toPlainString()).put("stored_at", storedAtMillis).put("expires_at", expiresAtMillis);
  }

  public static CachedAnswer fromJson(JsonObject json) {
    List<ContentBlock> content = new ArrayList<>();
    for (Object o : json.getJsonArray("content")) {
      JsonObject b = (JsonObject) o;
      switch (b.getString("type")) {
        case "text" -> content.add(ContentBlock.Text.of(b.getString("text")));
        case "tool_use" -> content.add(new ContentBlock.ToolUse(b.getString("id"), b.getString("name"), b.getString("input"), null));
        case "thinking" -> content.add(new ContentBlock.Thinking(b.getString("thinking"), b.getString("signature"), b.getString("redacted")));
        default -> { }
      }
    }
    JsonObject u = json.getJsonObject("usage");
    Usage usage = Usage.fromJson(u);
    String stop = json.getString("stop_reason");
    UnifiedResponse answer = new UnifiedResponse(json.getString("id"), json.getString("model"), content,
        stop == null ? null : StopReason.valueOf(stop), json.getString("stop_sequence"), usage);
    String vector = json.getString("vector");
    return new CachedAnswer(json.getString("key"), json.getString("policy"), json.getString("context"), json.getString("prompt"),
        vector == null ? null : decode(vector), answer, new BigDecimal(json.getString("cost_usd")), json.getLong("stored_at"),
        json.getLong("expires_at"));
  }

  private static String encode(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static float[] decode(String text) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(text));
    float[] out = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(out);
    return out;
  }
}
