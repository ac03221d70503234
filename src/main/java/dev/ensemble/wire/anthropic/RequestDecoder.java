package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static dev.ensemble.wire.anthropic.JsonFields.path;

/** Decodes and validates a client's Anthropic Messages request body. Unknown top-level fields are ignored. */
final class RequestDecoder {

  private final JsonFields fields = JsonFields.CLIENT;
  private final BlockReader blocks = new BlockReader(JsonFields.CLIENT);

  UnifiedRequest decode(JsonObject body) {
    String model = fields.requireString(body, "model", "");
    if (model.isBlank()) {
      throw fields.fail("model", "must not be empty");
    }
    UnifiedRequest.Builder b = UnifiedRequest.builder(model);
    Integer maxTokens = fields.optInt(body, "max_tokens", "");
    if (maxTokens == null) {
      throw fields.fail("max_tokens", "required integer is missing");
    }
    if (maxTokens <= 0) {
      throw fields.fail("max_tokens", "must be greater than 0");
    }
    b.maxTokens(maxTokens);
    system(body, b);
    messages(body, b);
    tools(body, b);
    b.toolChoice(toolChoice(body));
    b.temperature(inRange(body, "temperature", 0, 1));
    b.topP(inRange(body, "top_p", 0, 1));
    Integer topK = fields.optInt(body, "top_k", "");
    if (topK != null && topK < 0) {
      throw fields.fail("top_k", "must be >= 0, got " + topK);
    }
    b.topK(topK);
    JsonArray stops = fields.optArray(body, "stop_sequences", "");
    if (stops != null) {
      for (int i = 0; i < stops.size(); i++) {
        b.stop(fields.stringAt(stops, i, "stop_sequences"));
      }
    }
    b.stream(Boolean.TRUE.equals(fields.optBoolean(body, "stream", "")));
    b.reasoning(thinking(body));
    JsonObject metadata = fields.optObject(body, "metadata", "");
    if (metadata != null) {
      b.user(fields.optString(metadata, "user_id", "metadata"));
    }
    return b.build();
  }

  private void system(JsonObject body, UnifiedRequest.Builder b) {
    Object system = body.getValue("system");
    if (system == null) {
      return;
    }
    if (system instanceof String s) {
      if (!s.isEmpty()) {
        b.system(ContentBlock.Text.of(s));
      }
      return;
    }
    if (!(system instanceof JsonArray array)) {
      throw fields.fail("system", "must be a string or an array of text blocks");
    }
    for (int i = 0; i < array.size(); i++) {
      String path = path("system", i);
      JsonObject block = fields.objectAt(array, i, "system");
      String type = fields.requireString(block, "type", path);
      if (!"text".equals(type)) {
        throw fields.fail(path(path, "type"), "system blocks must be of type 'text', not '" + type + "'");
      }
      b.system(new ContentBlock.Text(fields.requireString(block, "text", path), fields.optObject(block, "cache_control", path)));
    }
  }

  private void messages(JsonObject body, UnifiedRequest.Builder b) {
    JsonArray messages = fields.optArray(body, "messages", "");
    if (messages == null) {
      throw fields.fail("messages", "required array is missing");
    }
    if (messages.isEmpty()) {
      throw fields.fail("messages", "must contain at least one message");
    }
    for (int i = 0; i < messages.size(); i++) {
      String path = path("messages", i);
      JsonObject message = fields.objectAt(messages, i, "messages");
      String role = fields.requireString(message, "role", path);
      String contentPath = path(path, "content");
      Object content = message.getValue("content");
      switch (role) {
        case "user" -> b.message(new Message(Role.USER,
            blocks.content(content, contentPath, BlockReader.USER_TYPES, "a user message")));
        case "assistant" -> b.message(new Message(Role.ASSISTANT,
            blocks.content(content, contentPath, BlockReader.ASSISTANT_TYPES, "an assistant message")));
        default -> throw fields.fail(path(path, "role"), "must be 'user' or 'assistant', not '" + role + "'");
      }
    }
  }

  private void tools(JsonObject body, UnifiedRequest.Builder b) {
    JsonArray tools = fields.optArray(body, "tools", "");
    if (tools == null) {
      return;
    }
    for (int i = 0; i < tools.size(); i++) {
      String path = path("tools", i);
      JsonObject tool = fields.objectAt(tools, i, "tools");
      String type = fields.optString(tool, "type", path);
      if (type != null && !"custom".equals(type)) {
        throw fields.fail(path(path, "type"), "server tool '" + type + "' is not supported");
      }
      b.tool(new ToolDefinition(
          fields.requireString(tool, "name", path),
          fields.optString(tool, "description", path),
          fields.requireObject(tool, "input_schema", path),
          fields.optObject(tool, "cache_control", path)));
    }
  }

  private ToolChoice toolChoice(JsonObject body) {
    JsonObject choice = fields.optObject(body, "tool_choice", "");
    if (choice == null) {
      return null;
    }
    String type = fields.requireString(choice, "type", "tool_choice");
    boolean disableParallel = Boolean.TRUE.equals(fields.optBoolean(choice, "disable_parallel_tool_use", "tool_choice"));
    return switch (type) {
      case "auto" -> new ToolChoice(ToolChoice.Mode.AUTO, null, disableParallel);
      case "any" -> new ToolChoice(ToolChoice.Mode.ANY, null, disableParallel);
      case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null, false);
      case "tool" -> new ToolChoice(ToolChoice.Mode.TOOL, fields.requireString(choice, "name", "tool_choice"), disableParallel);
      default -> throw fields.fail("tool_choice.type", "must be one of auto, any, tool, none, not '" + type + "'");
    };
  }

  private UnifiedRequest.Reasoning thinking(JsonObject body) {
    JsonObject thinking = fields.optObject(body, "thinking", "");
    if (thinking == null) {
      return null;
    }
    String type = fields.requireString(thinking, "type", "thinking");
    return switch (type) {
      case "enabled" -> {
        Integer budget = fields.optInt(thinking, "budget_tokens", "thinking");
        if (budget == null) {
          throw fields.fail("thinking.budget_tokens", "required integer is missing");
        }
        if (budget <= 0) {
          throw fields.fail("thinking.budget_tokens", "must be greater than 0");
        }
        yield new UnifiedRequest.Reasoning(budget, null);
      }
      case "disabled" -> null;
      default -> throw fields.fail("thinking.type", "must be 'enabled' or 'disabled', not '" + type + "'");
    };
  }

  /** An optional number within {@code [min, max]}, as the Messages API takes it. */
  private Double inRange(JsonObject body, String key, double min, double max) {
    Double value = fields.optDouble(body, key, "");
    if (value != null && (value < min || value > max)) {
      throw fields.fail(key, "must be between " + (int) min + " and " + (int) max + ", got " + value);
    }
    return value;
  }
}
