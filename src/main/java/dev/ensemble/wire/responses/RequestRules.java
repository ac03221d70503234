package dev.ensemble.wire.responses;

import dev.ensemble.model.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ranges and enumerations OpenAI's Responses API checks in a request, checked before anything is decoded or
 * sent, so that a bad value is the client's 400 naming the field ({@code param}) whichever upstream would have served
 * it, OpenAI's own included: {@code max_output_tokens} at least {@value #MIN_OUTPUT_TOKENS}, {@code top_logprobs}
 * 0..20, a string {@code input} of at most {@value #MAX_INPUT_CHARS} characters, at most {@value #MAX_TOOLS}
 * {@code tools}, function tool names of letters, digits, {@code _} and {@code -} (at most 64), {@code metadata} of at
 * most 16 string pairs (keys up to 64 characters, values up to 512), and the enumerations of
 * {@code reasoning.effort}, {@code reasoning.summary}, {@code text.verbosity}, {@code truncation} and
 * {@code service_tier}. {@code temperature} and {@code top_p} are checked where they are read. Stateless.
 */
final class RequestRules {

  static final int MIN_OUTPUT_TOKENS = 16;
  static final int MAX_INPUT_CHARS = 10_485_760;
  static final int MAX_TOOLS = 128;
  private static final int MAX_METADATA_PAIRS = 16;
  private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Map<String, Set<String>> ENUMS = Map.of(
      "truncation", Set.of("auto", "disabled"),
      "service_tier", Set.of("auto", "default", "flex", "scale", "priority"));
  private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");
  private static final Set<String> SUMMARIES = Set.of("auto", "concise", "detailed");
  private static final Set<String> VERBOSITIES = Set.of("low", "medium", "high");

  private RequestRules() {
  }

  static void check(JsonObject body) {
    Integer max = integer(body, "max_output_tokens", "max_output_tokens");
    if (max != null && max < MIN_OUTPUT_TOKENS) {
      throw GatewayError.invalid("max_output_tokens", "must be at least " + MIN_OUTPUT_TOKENS + ", got " + max);
    }
    Integer logprobs = integer(body, "top_logprobs", "top_logprobs");
    if (logprobs != null && (logprobs < 0 || logprobs > 20)) {
      throw GatewayError.invalid("top_logprobs", "must be from 0 to 20, got " + logprobs);
    }
    if (body.getValue("input") instanceof String input && input.length() > MAX_INPUT_CHARS) {
      throw GatewayError.invalid("input", "is " + input.length() + " characters long; at most " + MAX_INPUT_CHARS + " are allowed");
    }
    tools(body.getValue("tools"));
    metadata(body.getValue("metadata"));
    ENUMS.forEach((field, allowed) -> oneOf(body, field, field, allowed));
    if (body.getValue("reasoning") instanceof JsonObject reasoning) {
      oneOf(reasoning, "effort", "reasoning.effort", EFFORTS);
      oneOf(reasoning, "summary", "reasoning.summary", SUMMARIES);
    }
    if (body.getValue("text") instanceof JsonObject text) {
      oneOf(text, "verbosity", "text.verbosity", VERBOSITIES);
    }
  }

  private static void tools(Object value) {
    if (!(value instanceof JsonArray tools)) {
      return;
    }
    if (tools.size() > MAX_TOOLS) {
      throw GatewayError.invalid("tools", "holds " + tools.size() + " tools; at most " + MAX_TOOLS + " are allowed");
    }
    for (int i = 0; i < tools.size(); i++) {
      if (tools.getValue(i) instanceof JsonObject tool && "function".equals(tool.getValue("type"))
          && tool.getValue("name") instanceof String name && !FUNCTION_NAME.matcher(name).matches()) {
        throw GatewayError.invalid("tools[" + i + "].name", "must be 1 to 64 letters, digits, '_' or '-', got '"
            + (name.length() > 80 ? name.substring(0, 80) + "..." : name) + "'");
      }
    }
  }

  private static void metadata(Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject metadata)) {
      throw GatewayError.invalid("metadata", "must be an object of string values");
    }
    if (metadata.size() > MAX_METADATA_PAIRS) {
      throw GatewayError.invalid("metadata", "holds " + metadata.size() + " pairs; at most " + MAX_METADATA_PAIRS + " are allowed");
    }
    for (Map.Entry<String, Object> pair : metadata) {
      if (pair.getKey().length() > 64) {
        throw GatewayError.invalid("metadata", "key '" + pair.getKey().substring(0, 64) + "...' is longer than 64 characters");
      }
      if (!(pair.getValue() instanceof String text)) {
        throw GatewayError.invalid("metadata." + pair.getKey(), "must be a string");
      }
      if (text.length() > 512) {
        throw GatewayError.invalid("metadata." + pair.getKey(), "is longer than 512 characters");
      }
    }
  }

  private static void oneOf(JsonObject obj, String field, String path, Set<String> allowed) {
    Object value = obj.getValue(field);
    if (value != null && !(value instanceof String s && allowed.contains(s))) {
      throw GatewayError.invalid(path, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ", got "
          + io.vertx.core.json.Json.encode(value));
    }
  }

  private static Integer integer(JsonObject obj, String field, String path) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
      throw GatewayError.invalid(path, "must be an integer");
    }
    return n.intValue();
  }
}
