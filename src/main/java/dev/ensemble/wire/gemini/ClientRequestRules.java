package dev.ensemble.wire.gemini;

import dev.ensemble.model.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ranges and shapes the Gemini API checks in a {@code GenerateContentRequest}, checked before anything is sent
 * so that a bad value is the client's 400 naming the field (as {@code INVALID_ARGUMENT}) whichever upstream would have
 * served it:
 * <ul>
 *   <li>{@code generationConfig}: {@code temperature} 0..2, {@code topP} 0..1, {@code topK} an integer of at least 1,
 *       {@code candidateCount} 1..8 (above 1 the gateway refuses anyway), {@code maxOutputTokens} an integer of at
 *       least 1, at most {@value #MAX_STOP_SEQUENCES} {@code stopSequences}, {@code presencePenalty} and
 *       {@code frequencyPenalty} in [-2, 2), {@code seed} an integer, {@code responseMimeType} {@code text/plain} or
 *       {@code application/json} ({@code text/x.enum} is refused: the gateway cannot carry it), a {@code responseSchema}
 *       of the schema rules below, only {@code TEXT}
 *       {@code responseModalities}, {@code thinkingConfig.thinkingBudget} an integer from -1 (dynamic) to
 *       {@value #MAX_THINKING_BUDGET}, {@code includeThoughts} a boolean;</li>
 *   <li>function declarations: a name of letters, digits, {@code _ . : -} starting with a letter or underscore, at
 *       most 64 characters, unique across the request; {@code parameters} a schema of Gemini's types
 *       ({@code STRING}, {@code NUMBER}, {@code INTEGER}, {@code BOOLEAN}, {@code ARRAY}, {@code OBJECT},
 *       {@code NULL}, any case) whose {@code properties} are schemas, {@code items} a schema, {@code required} names
 *       of its properties and {@code enum} strings.</li>
 * </ul>
 * Stateless.
 */
final class ClientRequestRules {

  static final int MAX_STOP_SEQUENCES = 5;
  static final int MAX_CANDIDATES = 8;
  static final int MAX_THINKING_BUDGET = 32_768;
  private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,63}");
  private static final Set<String> TYPES = Set.of("STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL");
  private static final Set<String> MIME_TYPES = Set.of("text/plain", "application/json");

  private ClientRequestRules() {
  }

  static void generationConfig(JsonObject config, String at) {
    range(config, "temperature", at, 0, 2, true);
    range(config, "topP", at, 0, 1, true);
    range(config, "presencePenalty", at, -2, 2, false);
    range(config, "frequencyPenalty", at, -2, 2, false);
    atLeast(config, "topK", at, 1);
    atLeast(config, "maxOutputTokens", at, 1);
    Integer candidates = atLeast(config, "candidateCount", at, 1);
    if (candidates != null && candidates > MAX_CANDIDATES) {
      throw GatewayError.invalid(at + ".candidateCount", "must be from 1 to " + MAX_CANDIDATES + ", got " + candidates);
    }
    integer(config, "seed", at);
    if (config.getValue("stopSequences") instanceof JsonArray stops && stops.size() > MAX_STOP_SEQUENCES) {
      throw GatewayError.invalid(at + ".stopSequences", "takes at most " + MAX_STOP_SEQUENCES + " sequences, got " + stops.size());
    }
    Object mime = config.getValue("responseMimeType");
    if (mime != null && !(mime instanceof String type && MIME_TYPES.contains(type.toLowerCase(Locale.ROOT)))) {
      throw GatewayError.invalid(at + ".responseMimeType", "text/x.enum".equals(mime)
          ? "'text/x.enum' is not supported by the gateway; use application/json with a responseSchema"
          : "must be 'text/plain' or 'application/json'");
    }
    Object responseSchema = config.getValue("responseSchema");
    if (responseSchema != null) {
      if (!(responseSchema instanceof JsonObject schema)) {
        throw GatewayError.invalid(at + ".responseSchema", "must be a schema object");
      }
      schema(schema, at + ".responseSchema");
    }
    Object modalities = config.getValue("responseModalities");
    if (modalities != null) {
      if (!(modalities instanceof JsonArray list)) {
        throw GatewayError.invalid(at + ".responseModalities", "must be an array");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!"TEXT".equals(list.getValue(i))) {
          throw GatewayError.invalid(at + ".responseModalities[" + i + "]", "only TEXT is supported by the gateway, got "
              + io.vertx.core.json.Json.encode(list.getValue(i)));
        }
      }
    }
    Object thinking = config.getValue("thinkingConfig");
    if (thinking != null) {
      if (!(thinking instanceof JsonObject thinkingConfig)) {
        throw GatewayError.invalid(at + ".thinkingConfig", "must be an object");
      }
      String thinkingAt = at + ".thinkingConfig";
      Integer budget = integer(thinkingConfig, "thinkingBudget", thinkingAt);
      if (budget != null && (budget < -1 || budget > MAX_THINKING_BUDGET)) {
        throw GatewayError.invalid(thinkingAt + ".thinkingBudget", "must be -1 (dynamic), 0 (off) or up to " + MAX_THINKING_BUDGET
            + ", got " + budget);
      }
      Object include = thinkingConfig.getValue("includeThoughts");
      if (include != null && !(include instanceof Boolean)) {
        throw GatewayError.invalid(thinkingAt + ".includeThoughts", "must be a boolean");
      }
      Object level = thinkingConfig.getValue("thinkingLevel");
      if (level != null && !(level instanceof String name && Set.of("minimal", "low", "medium", "high").contains(name.toLowerCase(Locale.ROOT)))) {
        throw GatewayError.invalid(thinkingAt + ".thinkingLevel", "must be MINIMAL, LOW, MEDIUM or HIGH");
      }
    }
  }

  /** A declaration's name: valid, and not declared before ({@code names} collects them). */
  static void functionName(String name, String at, Set<String> names) {
    if (!FUNCTION_NAME.matcher(name).matches()) {
      throw GatewayError.invalid(at + ".name", "must start with a letter or an underscore and hold only letters, digits, "
          + "'_', '.', ':' or '-', at most 64 characters");
    }
    if (!names.add(name)) {
      throw GatewayError.invalid(at + ".name", "function '" + name + "' is declared twice");
    }
  }

  /** A declaration's {@code parameters} (or a response schema): Gemini's OpenAPI-subset schema. */
  static void schema(JsonObject schema, String at) {
    Object type = schema.getValue("type");
    if (type != null && !(type instanceof String name && TYPES.contains(name.toUpperCase(Locale.ROOT)))) {
      throw GatewayError.invalid(at + ".type", "must be one of " + String.join(", ", new java.util.TreeSet<>(TYPES)));
    }
    Object properties = schema.getValue("properties");
    if (properties != null) {
      if (!(properties instanceof JsonObject props)) {
        throw GatewayError.invalid(at + ".properties", "must be an object of schemas");
      }
      for (String property : props.fieldNames()) {
        if (!(props.getValue(property) instanceof JsonObject child)) {
          throw GatewayError.invalid(at + ".properties." + property, "must be a schema object");
        }
        schema(child, at + ".properties." + property);
      }
    }
    Object required = schema.getValue("required");
    if (required != null) {
      if (!(required instanceof JsonArray names)) {
        throw GatewayError.invalid(at + ".required", "must be an array of property names");
      }
      for (int i = 0; i < names.size(); i++) {
        if (!(names.getValue(i) instanceof String name) || !(properties instanceof JsonObject props) || !props.containsKey(name)) {
          throw GatewayError.invalid(at + ".required[" + i + "]", "names no property of this schema");
        }
      }
    }
    Object items = schema.getValue("items");
    if (items != null) {
      if (!(items instanceof JsonObject child)) {
        throw GatewayError.invalid(at + ".items", "must be a schema object");
      }
      schema(child, at + ".items");
    }
    Object anyOf = schema.getValue("anyOf");
    if (anyOf != null) {
      if (!(anyOf instanceof JsonArray options)) {
        throw GatewayError.invalid(at + ".anyOf", "must be an array of schemas");
      }
      for (int i = 0; i < options.size(); i++) {
        if (!(options.getValue(i) instanceof JsonObject option)) {
          throw GatewayError.invalid(at + ".anyOf[" + i + "]", "must be a schema object");
        }
        schema(option, at + ".anyOf[" + i + "]");
      }
    }
    Object values = schema.getValue("enum");
    if (values != null) {
      if (!(values instanceof JsonArray list)) {
        throw GatewayError.invalid(at + ".enum", "must be an array of strings");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof String)) {
          throw GatewayError.invalid(at + ".enum[" + i + "]", "must be a string");
        }
      }
    }
  }

  /** A number in [min, max] ({@code maxIncluded}) or [min, max). */
  private static void range(JsonObject obj, String field, String at, double min, double max, boolean maxIncluded) {
    Object value = obj.getValue(field);
    if (value == null) {
      return;
    }
    if (!(value instanceof Number n)) {
      throw GatewayError.invalid(at + "." + field, "must be a number");
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || d < min || (maxIncluded ? d > max : d >= max)) {
      throw GatewayError.invalid(at + "." + field, "must be from " + format(min) + " to " + format(max)
          + (maxIncluded ? "" : " (excluded)") + ", got " + n);
    }
  }

  private static Integer atLeast(JsonObject obj, String field, String at, int min) {
    Integer value = integer(obj, field, at);
    if (value != null && value < min) {
      throw GatewayError.invalid(at + "." + field, "must be at least " + min + ", got " + value);
    }
    return value;
  }

  private static Integer integer(JsonObject obj, String field, String at) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n)) {
      throw GatewayError.invalid(at + "." + field, "must be an integer");
    }
    double d = n.doubleValue();
    if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
      throw GatewayError.invalid(at + "." + field, "must be an integer (32 bits), got " + n);
    }
    return (int) d;
  }

  private static String format(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
