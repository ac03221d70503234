package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/** A tool the model may call. {@code inputSchema} is a JSON Schema object, passed through as given. */
public record ToolDefinition(String name, String description, JsonObject inputSchema, JsonObject cacheControl) {

  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    inputSchema = inputSchema == null ? new JsonObject().put("type", "object") : inputSchema;
  }
}
