package dev.ensemble.wire;

import io.vertx.core.json.JsonObject;

/**
 * What the gateway tells a client about an answer regardless of where it came from: its own request id
 * (the persisted response id), the model name the client asked for, the creation time, and the request fields
 * the client's format repeats in its answer ({@link ClientCall#echo()}; empty for most formats).
 */
public record ResponseContext(String requestId, String model, long createdEpochSeconds, JsonObject echo) {

  public ResponseContext {
    echo = echo == null ? new JsonObject() : echo;
  }

  public ResponseContext(String requestId, String model, long createdEpochSeconds) {
    this(requestId, model, createdEpochSeconds, new JsonObject());
  }
}
