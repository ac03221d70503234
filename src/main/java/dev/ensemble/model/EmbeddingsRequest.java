package dev.ensemble.model;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;

/**
 * A request for embeddings, validated: {@code input} is a string, a non-empty array of strings, an array of
 * token ids, or an array of token-id arrays (as the OpenAI format allows); the other fields are null when not sent.
 */
public record EmbeddingsRequest(String model, Object input, String encodingFormat, Integer dimensions, String user) {

  /** The input's texts (empty for token-id input). */
  public List<String> texts() {
    List<String> out = new ArrayList<>();
    if (input instanceof String s) {
      out.add(s);
    } else if (input instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Estimated input tokens for admission: four characters a token, one per token id. */
  public int estimatedTokens() {
    long chars = 0;
    long tokens = 0;
    for (String text : texts()) {
      chars += text.length();
    }
    if (input instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof Number) {
          tokens++;
        } else if (item instanceof JsonArray ids) {
          tokens += ids.size();
        }
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (chars + 3) / 4 + tokens));
  }
}
