package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

/**
 * A request to generate images, validated: {@code prompt}, how many ({@code n}, 1 when not sent), and the
 * optional {@code size}, {@code quality} and {@code responseFormat} ({@code url} or {@code b64_json}); the
 * other parameters the client sent ({@code style}, {@code background}, {@code output_format}, {@code user}, ...)
 * are in {@code options}, in the order sent, to pass on.
 */
public record ImagesRequest(String model, String prompt, int n, String size, String quality, String responseFormat, JsonObject options) {

  public ImagesRequest {
    options = options == null ? new JsonObject() : options.copy();
  }

  /** Estimated prompt tokens for admission: four characters a token. */
  public int estimatedTokens() {
    return Math.max(1, (prompt.length() + 3) / 4);
  }
}
