package dev.ensemble.wire.openai;

import static dev.ensemble.wire.openai.JsonFields.objectAt;
import static dev.ensemble.wire.openai.JsonFields.optArray;
import static dev.ensemble.wire.openai.JsonFields.optString;
import static dev.ensemble.wire.openai.JsonFields.path;
import static dev.ensemble.wire.openai.JsonFields.requireNonEmptyString;
import static dev.ensemble.wire.openai.JsonFields.requireObject;
import static dev.ensemble.wire.openai.JsonFields.requireString;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a client's OpenAI {@code messages} array into system blocks and unified turns. Consecutive
 * {@code tool} messages, and a {@code user} message right after them, form one user turn of
 * {@link ContentBlock.ToolResult} blocks (followed by the user's own blocks).
 */
final class MessageListDecoder {

  private final UnifiedRequest.Builder builder;
  private List<ContentBlock> toolTurn;

  private MessageListDecoder(UnifiedRequest.Builder builder) {
    this.builder = builder;
  }

  static void decode(JsonArray messages, UnifiedRequest.Builder builder) {
    MessageListDecoder decoder = new MessageListDecoder(builder);
    for (int i = 0; i < messages.size(); i++) {
      decoder.message(objectAt(messages, i, "messages"), path("messages", i));
    }
    decoder.closeToolTurn();
  }

  private void message(JsonObject msg, String path) {
    String role = requireString(msg, "role", path);
    Object content = msg.getValue("content");
    String contentPath = path(path, "content");
    switch (role) {
      case "system", "developer" -> ContentPartDecoder.textContent(content, contentPath).forEach(builder::system);
      case "user" -> user(ContentPartDecoder.userContent(content, contentPath));
      case "assistant" -> assistant(msg, path);
      case "tool" -> tool(msg, path);
      case "function" -> throw GatewayError.invalid(path(path, "role"),
          "role 'function' is not supported, use 'tool' messages");
      default -> throw GatewayError.invalid(path(path, "role"), "unknown role '" + role + "'");
    }
  }

  private void user(List<ContentBlock> blocks) {
    if (toolTurn != null) {
      toolTurn.addAll(blocks);
      closeToolTurn();
    } else {
      builder.message(new Message(Role.USER, blocks));
    }
  }

  private void tool(JsonObject msg, String path) {
    String id = requireNonEmptyString(msg, "tool_call_id", path);
    List<ContentBlock.Text> content = ContentPartDecoder.textContent(msg.getValue("content"), path(path, "content"));
    if (toolTurn == null) {
      toolTurn = new ArrayList<>();
    }
    toolTurn.add(new ContentBlock.ToolResult(id, List.copyOf(content), false, null));
  }

  private void assistant(JsonObject msg, String path) {
    closeToolTurn();
    List<ContentBlock> blocks = new ArrayList<>(
        ContentPartDecoder.assistantContent(msg.getValue("content"), path(path, "content")));
    JsonArray calls = optArray(msg, "tool_calls", path);
    String callsPath = path(path, "tool_calls");
    if (calls != null) {
      for (int i = 0; i < calls.size(); i++) {
        blocks.add(toolCall(objectAt(calls, i, callsPath), path(callsPath, i)));
      }
    }
    if (blocks.isEmpty()) {
      blocks.add(ContentBlock.Text.of(""));
    }
    builder.message(new Message(Role.ASSISTANT, blocks));
  }

  private static ContentBlock.ToolUse toolCall(JsonObject call, String path) {
    String type = optString(call, "type", path);
    if (type != null && !type.equals("function")) {
      throw GatewayError.invalid(path(path, "type"), "must be 'function'");
    }
    String id = requireNonEmptyString(call, "id", path);
    JsonObject function = requireObject(call, "function", path);
    String functionPath = path(path, "function");
    String name = requireNonEmptyString(function, "name", functionPath);
    String arguments = optString(function, "arguments", functionPath);
    return new ContentBlock.ToolUse(id, name, arguments, null);
  }

  private void closeToolTurn() {
    if (toolTurn != null) {
      builder.message(new Message(Role.USER, toolTurn));
      toolTurn = null;
    }
  }
}
