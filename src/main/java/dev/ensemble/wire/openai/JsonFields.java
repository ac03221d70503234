package dev.ensemble.wire.openai;

import dev.ensemble.model.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Typed reads of client JSON that fail with a 400 naming the field instead of a ClassCastException.
 * A JSON {@code null} counts as absent.
 */
final class JsonFields {

  private JsonFields() {
  }

  static String path(String parent, String field) {
    return parent == null || parent.isEmpty() ? field : parent + "." + field;
  }

  static String path(String parent, int index) {
    return parent + "[" + index + "]";
  }

  static String optString(JsonObject obj, String field, String parent) {
    Object v = obj.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw GatewayError.invalid(path(parent, field), "must be a string");
    }
    return s;
  }

  static String requireString(JsonObject obj, String field, String parent) {
    String s = optString(obj, field, parent);
    if (s == null) {
      throw GatewayError.invalid(path(parent, field), "is required");
    }
    return s;
  }

  static String requireNonEmptyString(JsonObject obj, String field, String parent) {
    String s = requireString(obj, field, parent);
    if (s.isEmpty()) {
      throw GatewayError.invalid(path(parent, field), "must not be empty");
    }
    return s;
  }

  static Boolean optBoolean(JsonObject obj, String field, String parent) {
    Object v = obj.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      throw GatewayError.invalid(path(parent, field), "must be a boolean");
    }
    return b;
  }

  static Double optNumber(JsonObject obj, String field, String parent, double min, double max) {
    Object v = obj.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      throw GatewayError.invalid(path(parent, field), "must be a number");
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || d < min || d > max) {
      throw GatewayError.invalid(path(parent, field), "must be between " + fmt(min) + " and " + fmt(max));
    }
    return d;
  }

  static Integer optInteger(JsonObject obj, String field, String parent) {
    Object v = obj.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte)) {
      throw GatewayError.invalid(path(parent, field), "must be an integer");
    }
    long l = ((Number) v).longValue();
    if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) {
      throw GatewayError.invalid(path(parent, field), "is out of range");
    }
    return (int) l;
  }

  static JsonObject optObject(JsonObject obj, String field, String parent) {
    Object v = obj.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw GatewayError.invalid(path(parent, field), "must be an object");
    }
    return o;
  }

  static JsonObject requireObject(JsonObject obj, String field, String parent) {
    JsonObject o = optObject(obj, field, parent);
    if (o == null) {
      throw GatewayError.invalid(path(parent, field), "is required");
    }
    return o;
  }

  static JsonArray optArray(JsonObject obj, String field, String parent) {
    Object v = obj.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw GatewayError.invalid(path(parent, field), "must be an array");
    }
    return a;
  }

  static JsonObject objectAt(JsonArray array, int index, String arrayPath) {
    Object v = array.getValue(index);
    if (!(v instanceof JsonObject o)) {
      throw GatewayError.invalid(path(arrayPath, index), "must be an object");
    }
    return o;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
