package dev.ensemble.wire.responses;

import dev.ensemble.model.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Typed reads of request fields, each failing with a 400 that names the field's path. */
final class Fields {

  private Fields() {
  }

  static String path(String parent, String field) {
    return parent == null ? field : parent + "." + field;
  }

  static String path(String parent, int index) {
    return parent + "[" + index + "]";
  }

  static String optString(JsonObject obj, String field, String parent) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw GatewayError.invalid(path(parent, field), "must be a string");
    }
    return s;
  }

  static String requireString(JsonObject obj, String field, String parent) {
    String value = optString(obj, field, parent);
    if (value == null || value.isEmpty()) {
      throw GatewayError.invalid(path(parent, field), "is required");
    }
    return value;
  }

  static Boolean optBoolean(JsonObject obj, String field, String parent) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Boolean b)) {
      throw GatewayError.invalid(path(parent, field), "must be a boolean");
    }
    return b;
  }

  static Double optNumber(JsonObject obj, String field, double min, double max) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
      throw GatewayError.invalid(field, "must be a number from " + min + " to " + max);
    }
    return n.doubleValue();
  }

  static Integer optPositiveInteger(JsonObject obj, String field) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() <= 0 || n.longValue() > Integer.MAX_VALUE) {
      throw GatewayError.invalid(field, "must be a positive integer");
    }
    return n.intValue();
  }

  static JsonObject optObject(JsonObject obj, String field, String parent) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject o)) {
      throw GatewayError.invalid(path(parent, field), "must be an object");
    }
    return o;
  }

  static JsonArray optArray(JsonObject obj, String field, String parent) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray a)) {
      throw GatewayError.invalid(path(parent, field), "must be an array");
    }
    return a;
  }

  static JsonObject objectAt(JsonArray array, int index, String arrayPath) {
    if (!(array.getValue(index) instanceof JsonObject o)) {
      throw GatewayError.invalid(path(arrayPath, index), "must be an object");
    }
    return o;
  }
}
