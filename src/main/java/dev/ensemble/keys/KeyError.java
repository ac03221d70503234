package dev.ensemble.keys;

import io.vertx.core.json.JsonObject;

/**
 * Why an admin key operation was refused: the HTTP status and an OpenAI-style error naming the field at
 * fault. Never carries key material.
 */
public final class KeyError extends RuntimeException {

  private final int status;
  private final String type;
  private final String param;

  public KeyError(int status, String type, String param, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
  }

  /** A 400 whose message starts with the field at fault ({@code "weight: must be a number > 0"}), as {@code param} names it. */
  static KeyError invalid(String param, String message) {
    return new KeyError(400, "invalid_request_error", param, param + ": " + message);
  }

  static KeyError conflict(String param, String message) {
    return new KeyError(409, "conflict_error", param, message);
  }

  public int status() {
    return status;
  }

  /** {@code {error: {message, type, param, code}}}. */
  public JsonObject toJson() {
    return new JsonObject().put("error", new JsonObject().put("message", getMessage()).put("type", type).put("param", param)
        .putNull("code"));
  }
}
