package dev.ensemble.wire.gemini;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Set;

/**
 * Gemini's OpenAPI-subset {@code Schema} (upper-case {@code type}s, {@code nullable}, {@code propertyOrdering})
 * as the JSON Schema the unified model carries: types lower-cased, a nullable type becomes {@code [type, "null"]},
 * Gemini-only keys dropped; everything else ({@code properties}, {@code items}, {@code required}, {@code enum},
 * {@code description}, {@code format}, {@code anyOf}, bounds) kept. Stateless.
 */
final class ClientSchema {

  private static final Set<String> GEMINI_ONLY = Set.of("propertyOrdering", "nullable", "example");

  private ClientSchema() {
  }

  static JsonObject toJsonSchema(JsonObject schema) {
    JsonObject out = new JsonObject();
    for (String key : schema.fieldNames()) {
      Object value = schema.getValue(key);
      if (GEMINI_ONLY.contains(key)) {
        continue;
      }
      if (key.equals("type") && value instanceof String type) {
        String lower = type.toLowerCase(Locale.ROOT);
        out.put("type", Boolean.TRUE.equals(schema.getValue("nullable")) ? new JsonArray().add(lower).add("null") : lower);
      } else if (key.equals("properties") && value instanceof JsonObject properties) {
        JsonObject converted = new JsonObject();
        properties.forEach(e -> converted.put(e.getKey(), e.getValue() instanceof JsonObject p ? toJsonSchema(p) : e.getValue()));
        out.put(key, converted);
      } else if (key.equals("items") && value instanceof JsonObject items) {
        out.put(key, toJsonSchema(items));
      } else if (key.equals("anyOf") && value instanceof JsonArray options) {
        JsonArray converted = new JsonArray();
        options.forEach(o -> converted.add(o instanceof JsonObject s ? toJsonSchema(s) : o));
        out.put(key, converted);
      } else {
        out.put(key, value);
      }
    }
    return out;
  }
}
