package dev.ensemble.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A YAML mapping being read into config records: typed accessors that expand environment variables in
 * scalars, report the YAML path of every problem, and reject keys nobody asked for. Readers declare the
 * keys they accept with {@link #allow}, then read them.
 */
final class ConfigNode {

  private final JsonNode node;
  private final String path;
  private final EnvExpander env;

  ConfigNode(JsonNode node, String path, EnvExpander env) {
    this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
    this.path = path;
    this.env = env;
    if (!this.node.isMissingNode() && !this.node.isObject()) {
      throw new ConfigException(path, "must be a mapping");
    }
  }

  String path() {
    return path;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  /** Whether {@code key} holds a mapping (rather than a single value or a list). */
  boolean isMapping(String key) {
    JsonNode v = node.get(key);
    return v != null && v.isObject();
  }

  /** Fails on any key not in {@code allowed}, naming the ones that are. */
  ConfigNode allow(String... allowed) {
    Set<String> ok = new LinkedHashSet<>(List.of(allowed));
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!ok.contains(key)) {
        throw new ConfigException(pathOf(key), "unknown key (allowed here: " + String.join(", ", ok) + ")");
      }
    }
    return this;
  }

  ConfigNode object(String key) {
    return new ConfigNode(node.get(key), pathOf(key), env);
  }

  /** The entries of a mapping of named things (providers, models), in file order. */
  Map<String, ConfigNode> entries(String key) {
    JsonNode v = node.get(key);
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw new ConfigException(pathOf(key), "must be a mapping");
    }
    v.fields().forEachRemaining(e -> out.put(e.getKey(), new ConfigNode(e.getValue(), pathOf(key) + "." + e.getKey(), env)));
    return out;
  }

  /**
   * Like {@link #entries(String)}, but an entry may also be a single value, read as the mapping
   * {@code {shorthandKey: value}} ({@code openai: gpt-5} for {@code openai: { model: gpt-5 }}).
   */
  Map<String, ConfigNode> entries(String key, String shorthandKey) {
    JsonNode v = node.get(key);
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw new ConfigException(pathOf(key), "must be a mapping");
    }
    v.fields().forEachRemaining(e -> {
      JsonNode value = e.getValue();
      if (value.isValueNode() && !value.isNull()) {
        value = JsonNodeFactory.instance.objectNode().set(shorthandKey, value);
      }
      out.put(e.getKey(), new ConfigNode(value, pathOf(key) + "." + e.getKey(), env));
    });
    return out;
  }

  /** A list of mappings, each read by {@code reader}. */
  <T> List<T> list(String key, Function<ConfigNode, T> reader) {
    JsonNode v = node.get(key);
    List<T> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new ConfigException(pathOf(key), "must be a list");
    }
    for (int i = 0; i < v.size(); i++) {
      out.add(reader.apply(new ConfigNode(v.get(i), pathOf(key) + "[" + i + "]", env)));
    }
    return out;
  }

  List<String> stringList(String key) {
    JsonNode v = node.get(key);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new ConfigException(pathOf(key), "must be a list");
    }
    for (int i = 0; i < v.size(); i++) {
      out.add(scalar(v.get(i), pathOf(key) + "[" + i + "]"));
    }
    return out;
  }

  /** A mapping of names to single values ({@code headers:}), in file order, each value expanded. */
  Map<String, String> scalarMap(String key) {
    JsonNode v = node.get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw new ConfigException(pathOf(key), "must be a mapping");
    }
    v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : scalar(e.getValue(), pathOf(key) + "." + e.getKey())));
    return out;
  }

  /**
   * A mapping passed through as data (nested mappings, lists and scalars of any JSON type), in file order,
   * with environment variables expanded in its strings.
   */
  Map<String, Object> freeMapping(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return new LinkedHashMap<>();
    }
    if (!v.isObject()) {
      throw new ConfigException(pathOf(key), "must be a mapping");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) data(v, pathOf(key));
    return out;
  }

  private Object data(JsonNode v, String at) {
    if (v.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      v.fields().forEachRemaining(e -> out.put(e.getKey(), data(e.getValue(), at + "." + e.getKey())));
      return out;
    }
    if (v.isArray()) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        out.add(data(v.get(i), at + "[" + i + "]"));
      }
      return out;
    }
    if (v.isNull()) {
      return null;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.numberValue();
    }
    return env.expand(v.asText(), at);
  }

  String string(String key, String defaultValue) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? defaultValue : scalar(v, pathOf(key));
  }

  String requiredString(String key) {
    String v = string(key, null);
    if (v == null || v.isBlank()) {
      throw new ConfigException(pathOf(key), "is required");
    }
    return v;
  }

  Secret secret(String key) {
    return new Secret(string(key, ""));
  }

  boolean bool(String key, boolean defaultValue) {
    String v = string(key, null);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    return switch (v.toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(pathOf(key), "must be true or false, got '" + v + "'");
    };
  }

  long integer(String key, long defaultValue) {
    String v = string(key, null);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(pathOf(key), "must be an integer, got '" + v + "'");
    }
  }

  /** An optional integer that must be > 0 when present. */
  Integer positiveOrNull(String key) {
    if (!has(key) || string(key, "").isEmpty()) {
      return null;
    }
    return positiveInt(key, 0);
  }

  /** A count held in an {@code int}: > 0 and at most {@value Integer#MAX_VALUE}. */
  int positiveInt(String key, int defaultValue) {
    long v = positive(key, defaultValue);
    if (v > Integer.MAX_VALUE) {
      throw new ConfigException(pathOf(key), "must be at most " + Integer.MAX_VALUE);
    }
    return (int) v;
  }

  long positive(String key, long defaultValue) {
    long v = integer(key, defaultValue);
    if (v <= 0) {
      throw new ConfigException(pathOf(key), "must be > 0");
    }
    return v;
  }

  BigDecimal decimal(String key, BigDecimal defaultValue) {
    String v = string(key, null);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    try {
      return new BigDecimal(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(pathOf(key), "must be a number, got '" + v + "'");
    }
  }

  <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    String v = string(key, null);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase());
    }
    throw new ConfigException(pathOf(key), "must be one of " + String.join(", ", names) + ", got '" + v + "'");
  }

  private String scalar(JsonNode v, String at) {
    if (!v.isValueNode()) {
      throw new ConfigException(at, "must be a single value, not a " + (v.isArray() ? "list" : "mapping"));
    }
    return env.expand(v.asText(), at);
  }
}
