package dev.ensemble.wire.gemini;

import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Typed reads of a Gemini answer: a field of the wrong type is an {@link UpstreamProtocolException}, never a ClassCastException. */
final class UpstreamJson {

  private UpstreamJson() {
  }

  static JsonObject parse(String text, String what) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      throw new UpstreamProtocolException(what + " is not a JSON object", e);
    }
  }

  static String string(JsonObject obj, String field) {
    Object value = obj.getValue(field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw new UpstreamProtocolException("Gemini field '" + field + "' is not a string");
  }

  static Long number(JsonObject obj, String field) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    throw new UpstreamProtocolException("Gemini field '" + field + "' is not a number");
  }

  static JsonObject object(JsonObject obj, String field) {
    Object value = obj.getValue(field);
    if (value == null || value instanceof JsonObject) {
      return (JsonObject) value;
    }
    throw new UpstreamProtocolException("Gemini field '" + field + "' is not an object");
  }

  static JsonArray array(JsonObject obj, String field) {
    Object value = obj.getValue(field);
    if (value == null || value instanceof JsonArray) {
      return (JsonArray) value;
    }
    throw new UpstreamProtocolException("Gemini field '" + field + "' is not an array");
  }

  static JsonObject objectAt(JsonArray array, int index, String what) {
    if (array.getValue(index) instanceof JsonObject obj) {
      return obj;
    }
    throw new UpstreamProtocolException("Gemini " + what + " " + index + " is not an object");
  }
}
