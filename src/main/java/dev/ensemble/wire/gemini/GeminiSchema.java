package dev.ensemble.wire.gemini;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON Schema (as clients write tool parameters) into Gemini's {@code Schema}, a subset of OpenAPI
 * 3.0: local {@code $ref}s ({@code #/$defs/X}, {@code #/definitions/X}) are inlined, a type array with
 * {@code "null"} becomes {@code nullable}, {@code const} a one-value {@code enum}, {@code oneOf} an
 * {@code anyOf}, type names are upper-cased, and every key Gemini does not know ({@code additionalProperties},
 * {@code $schema}, {@code $id}, {@code examples}, {@code patternProperties}, ...) is dropped. Keys keep the
 * input's order, so the output is byte-stable. Stateless.
 */
final class GeminiSchema {

  private static final Set<String> KEPT = Set.of("format", "title", "description", "maxItems", "minItems",
      "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "default", "minimum",
      "maximum", "propertyOrdering", "required");
  /** Deeper than this a schema is cut off: a recursive {@code $ref} would otherwise never end. */
  private static final int MAX_DEPTH = 24;

  private GeminiSchema() {
  }

  static JsonObject convert(JsonObject schema) {
    return convert(schema, schema, 0);
  }

  /** Whether a converted parameters schema describes no arguments at all (Gemini rejects an empty OBJECT). */
  static boolean isEmptyObject(JsonObject converted) {
    Object properties = converted.getValue("properties");
    return "OBJECT".equals(converted.getValue("type"))
        && (properties == null || properties instanceof JsonObject p && p.isEmpty());
  }

  private static JsonObject convert(JsonObject schema, JsonObject root, int depth) {
    JsonObject source = resolve(schema, root);
    JsonObject out = new JsonObject();
    if (depth > MAX_DEPTH) {
      return out.put("type", "OBJECT");
    }
    for (Map.Entry<String, Object> entry : source) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key) {
        case "type" -> type(value, out);
        case "nullable" -> {
          if (Boolean.TRUE.equals(value)) {
            out.put("nullable", true);
          }
        }
        case "enum" -> enumValues(value, out);
        case "const" -> {
          if (value instanceof String s) {
            out.put("enum", new JsonArray().add(s));
          }
        }
        case "properties" -> {
          if (value instanceof JsonObject properties) {
            JsonObject converted = new JsonObject();
            for (Map.Entry<String, Object> property : properties) {
              if (property.getValue() instanceof JsonObject p) {
                converted.put(property.getKey(), convert(p, root, depth + 1));
              }
            }
            out.put("properties", converted);
          }
        }
        case "items" -> {
          if (value instanceof JsonObject items) {
            out.put("items", convert(items, root, depth + 1));
          }
        }
        case "anyOf", "oneOf" -> {
          if (value instanceof JsonArray options) {
            anyOf(options, root, depth, out);
          }
        }
        default -> {
          if (KEPT.contains(key) && value != null) {
            out.put(key, value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value);
          }
        }
      }
    }
    if (!out.containsKey("type") && out.containsKey("properties")) {
      out.put("type", "OBJECT");
    }
    return out;
  }

  private static void type(Object value, JsonObject out) {
    if (value instanceof String s) {
      if (!s.equals("null")) {
        out.put("type", s.toUpperCase(Locale.ROOT));
      }
      return;
    }
    if (value instanceof JsonArray types) {
      List<String> named = new ArrayList<>();
      for (Object t : types) {
        if ("null".equals(t)) {
          out.put("nullable", true);
        } else if (t instanceof String s) {
          named.add(s);
        }
      }
      if (!named.isEmpty()) {
        out.put("type", named.get(0).toUpperCase(Locale.ROOT));
      }
    }
  }

  /** Gemini enums are strings only; numeric or mixed enums are left out rather than sent and rejected. */
  private static void enumValues(Object value, JsonObject out) {
    if (!(value instanceof JsonArray values)) {
      return;
    }
    JsonArray strings = new JsonArray();
    for (Object v : values) {
      if (v instanceof String) {
        strings.add(v);
      } else if (v == null) {
        out.put("nullable", true);
      } else {
        return;
      }
    }
    out.put("enum", strings);
  }

  /** {@code anyOf: [X, {type: null}]} is a nullable X; other alternatives stay an {@code anyOf}. */
  private static void anyOf(JsonArray options, JsonObject root, int depth, JsonObject out) {
    JsonArray converted = new JsonArray();
    for (Object option : options) {
      if (!(option instanceof JsonObject o)) {
        continue;
      }
      if ("null".equals(o.getValue("type"))) {
        out.put("nullable", true);
      } else {
        converted.add(convert(o, root, depth + 1));
      }
    }
    if (converted.size() == 1) {
      converted.getJsonObject(0).forEach(e -> {
        if (!out.containsKey(e.getKey())) {
          out.put(e.getKey(), e.getValue());
        }
      });
    } else if (!converted.isEmpty()) {
      out.put("anyOf", converted);
    }
  }

  private static JsonObject resolve(JsonObject schema, JsonObject root) {
    JsonObject current = schema;
    for (int hops = 0; hops < MAX_DEPTH && current.getValue("$ref") instanceof String ref; hops++) {
      JsonObject target = lookup(ref, root);
      if (target == null) {
        JsonObject rest = current.copy();
        rest.remove("$ref");
        return rest;
      }
      JsonObject merged = target.copy();
      current.forEach(e -> {
        if (!e.getKey().equals("$ref")) {
          merged.put(e.getKey(), e.getValue());
        }
      });
      current = merged;
    }
    return current;
  }

  private static JsonObject lookup(String ref, JsonObject root) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    Object node = root;
    for (String segment : ref.substring(2).split("/")) {
      String name = segment.replace("~1", "/").replace("~0", "~");
      if (!(node instanceof JsonObject obj)) {
        return null;
      }
      node = obj.getValue(name);
    }
    return node instanceof JsonObject target ? target : null;
  }
}
