package dev.ensemble.wire.openai;

import static dev.ensemble.wire.openai.JsonFields.objectAt;
import static dev.ensemble.wire.openai.JsonFields.optArray;
import static dev.ensemble.wire.openai.JsonFields.optBoolean;
import static dev.ensemble.wire.openai.JsonFields.optObject;
import static dev.ensemble.wire.openai.JsonFields.optString;
import static dev.ensemble.wire.openai.JsonFields.path;
import static dev.ensemble.wire.openai.JsonFields.requireNonEmptyString;
import static dev.ensemble.wire.openai.JsonFields.requireObject;
import static dev.ensemble.wire.openai.JsonFields.requireString;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reads a client's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}. */
final class ToolDecoder {

  private ToolDecoder() {
  }

  static void decode(JsonObject body, UnifiedRequest.Builder builder) {
    JsonArray tools = optArray(body, "tools", null);
    if (tools != null) {
      for (int i = 0; i < tools.size(); i++) {
        builder.tool(tool(objectAt(tools, i, "tools"), path("tools", i)));
      }
    }
    ToolChoice choice = choice(body.getValue("tool_choice"));
    Boolean parallel = optBoolean(body, "parallel_tool_calls", null);
    if (Boolean.FALSE.equals(parallel)) {
      choice = choice == null
          ? new ToolChoice(ToolChoice.Mode.AUTO, null, true)
          : new ToolChoice(choice.mode(), choice.name(), true);
    }
    builder.toolChoice(choice);
  }

  private static ToolDefinition tool(JsonObject tool, String path) {
    String type = requireString(tool, "type", path);
    if (!type.equals("function")) {
      throw GatewayError.invalid(path(path, "type"), "only 'function' tools are supported, got '" + type + "'");
    }
    JsonObject function = requireObject(tool, "function", path);
    String functionPath = path(path, "function");
    return new ToolDefinition(
        requireNonEmptyString(function, "name", functionPath),
        optString(function, "description", functionPath),
        optObject(function, "parameters", functionPath),
        optObject(tool, "cache_control", path));
  }

  private static ToolChoice choice(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String mode) {
      return switch (mode) {
        case "auto" -> ToolChoice.auto();
        case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null, false);
        case "required" -> new ToolChoice(ToolChoice.Mode.ANY, null, false);
        default -> throw GatewayError.invalid("tool_choice", "must be 'auto', 'none', 'required' or a function");
      };
    }
    if (!(value instanceof JsonObject named)) {
      throw GatewayError.invalid("tool_choice", "must be a string or an object");
    }
    String type = requireString(named, "type", "tool_choice");
    if (!type.equals("function")) {
      throw GatewayError.invalid("tool_choice.type", "must be 'function'");
    }
    JsonObject function = requireObject(named, "function", "tool_choice");
    return new ToolChoice(ToolChoice.Mode.TOOL, requireNonEmptyString(function, "name", "tool_choice.function"), false);
  }
}
