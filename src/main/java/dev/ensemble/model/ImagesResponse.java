package dev.ensemble.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Generated images as an upstream returned them: {@code data} holds one OpenAI-format image object per image
 * ({@code url} or {@code b64_json}, optionally {@code revised_prompt}); {@code usage} the tokens the provider
 * reported (GPT image models do, DALL-E does not: {@link Usage#UNKNOWN}); {@code extra} other top-level fields
 * to pass on ({@code size}, {@code quality}, {@code output_format}, {@code background}).
 */
public record ImagesResponse(long created, JsonArray data, Usage usage, JsonObject extra) {

  /** How many images were generated (what per-image prices apply to). */
  public int images() {
    return data.size();
  }
}
