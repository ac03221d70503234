package dev.ensemble.wire.anthropic;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.function.BiFunction;

/**
 * Typed reads of JSON fields that never throw {@link ClassCastException}: a missing or mistyped field fails
 * with the exception of the side being read, a 400 {@link GatewayError} for what a client sent and an
 * {@link UpstreamProtocolException} for what an upstream sent. A JSON {@code null} counts as absent.
 */
final class JsonFields {

  static final JsonFields CLIENT = new JsonFields(GatewayError::invalid);
  static final JsonFields UPSTREAM = new JsonFields((path, message) -> new UpstreamProtocolException(path + ": " + message));

  private final BiFunction<String, String, RuntimeException> failure;

  private JsonFields(BiFunction<String, String, RuntimeException> failure) {
    this.failure = failure;
  }

  RuntimeException fail(String path, String message) {
    return failure.apply(path, message);
  }

  static String path(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static String path(String parent, int index) {
    return parent + "[" + index + "]";
  }

  String requireString(JsonObject o, String key, String parent) {
    String value = optString(o, key, parent);
    if (value == null) {
      throw fail(path(parent, key), "required string is missing");
    }
    return value;
  }

  String optString(JsonObject o, String key, String parent) {
    Object value = o.getValue(key);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw fail(path(parent, key), "must be a string");
  }

  Boolean optBoolean(JsonObject o, String key, String parent) {
    Object value = o.getValue(key);
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    throw fail(path(parent, key), "must be a boolean");
  }

  Double optDouble(JsonObject o, String key, String parent) {
    Object value = o.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw fail(path(parent, key), "must be a number");
  }

  Integer optInt(JsonObject o, String key, String parent) {
    Long value = optLong(o, key, parent);
    if (value == null) {
      return null;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw fail(path(parent, key), "is out of range");
    }
    return value.intValue();
  }

  Long optLong(JsonObject o, String key, String parent) {
    Object value = o.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n) {
      try {
        BigInteger exact = (n instanceof BigInteger b) ? b : new BigDecimal(n.toString()).toBigIntegerExact();
        return exact.longValueExact();
      } catch (ArithmeticException | NumberFormatException notIntegral) {
        throw fail(path(parent, key), "must be an integer");
      }
    }
    throw fail(path(parent, key), "must be an integer");
  }

  JsonObject optObject(JsonObject o, String key, String parent) {
    Object value = o.getValue(key);
    if (value == null || value instanceof JsonObject) {
      return (JsonObject) value;
    }
    throw fail(path(parent, key), "must be an object");
  }

  JsonObject requireObject(JsonObject o, String key, String parent) {
    JsonObject value = optObject(o, key, parent);
    if (value == null) {
      throw fail(path(parent, key), "required object is missing");
    }
    return value;
  }

  JsonArray optArray(JsonObject o, String key, String parent) {
    Object value = o.getValue(key);
    if (value == null || value instanceof JsonArray) {
      return (JsonArray) value;
    }
    throw fail(path(parent, key), "must be an array");
  }

  JsonObject objectAt(JsonArray array, int index, String arrayPath) {
    Object value = array.getValue(index);
    if (value instanceof JsonObject o) {
      return o;
    }
    throw fail(path(arrayPath, index), "must be an object");
  }

  String stringAt(JsonArray array, int index, String arrayPath) {
    Object value = array.getValue(index);
    if (value instanceof String s) {
      return s;
    }
    throw fail(path(arrayPath, index), "must be a string");
  }
}
