package dev.ensemble.wire.responses;

import static dev.ensemble.wire.responses.Fields.objectAt;
import static dev.ensemble.wire.responses.Fields.optString;
import static dev.ensemble.wire.responses.Fields.path;
import static dev.ensemble.wire.responses.Fields.requireString;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The Responses API's {@code input} items as unified turns. Messages ({@code type: "message"} or untyped, roles
 * {@code user}, {@code assistant}, {@code system}, {@code developer}) with {@code input_text}, {@code input_image}
 * and {@code input_file} parts (an assistant's {@code output_text} and {@code refusal}); a {@code function_call}
 * is a tool call of the assistant turn, a {@code function_call_output} a tool result of the user turn;
 * {@code reasoning} items follow {@link EncryptedReasoning}; a {@code custom_tool_call} and its
 * {@code custom_tool_call_output} are a tool call and result like a function's ({@link CustomTools}). System and
 * developer messages become system blocks in order. Consecutive items of one role form one turn. What only OpenAI's
 * Responses API serves (references to its stored items, its built-in tools' items, uploaded files by
 * {@code file_id}) is left out of the unified turns and recorded in {@link NativeNeeds}: such a request goes to
 * OpenAI as is, or is a 400 naming the item.
 */
final class InputItems {

  private InputItems() {
  }

  static void decode(JsonArray items, UnifiedRequest.Builder builder, NativeNeeds needs) {
    Turns turns = new Turns(builder);
    for (int i = 0; i < items.size(); i++) {
      String at = path("input", i);
      JsonObject item = objectAt(items, i, "input");
      String type = optString(item, "type", at);
      if (type == null || type.equals("message")) {
        message(item, at, turns, builder, needs);
      } else if (type.equals("function_call")) {
        turns.add(Role.ASSISTANT, new ContentBlock.ToolUse(requireString(item, "call_id", at), requireString(item, "name", at),
            arguments(item, at), null));
      } else if (type.equals("function_call_output")) {
        turns.add(Role.USER, new ContentBlock.ToolResult(requireString(item, "call_id", at), output(item.getValue("output"), path(at, "output"), needs),
            false, null));
      } else if (type.equals("custom_tool_call")) {
        needs.prefer();
        turns.add(Role.ASSISTANT, new ContentBlock.ToolUse(requireString(item, "call_id", at), requireString(item, "name", at),
            CustomTools.arguments(customInput(item, at)), null));
      } else if (type.equals("custom_tool_call_output")) {
        needs.prefer();
        turns.add(Role.USER, new ContentBlock.ToolResult(requireString(item, "call_id", at), output(item.getValue("output"), path(at, "output"), needs),
            false, null));
      } else if (type.equals("reasoning")) {
        String encrypted = optString(item, "encrypted_content", at);
        ContentBlock.Thinking thinking = EncryptedReasoning.read(encrypted);
        if (thinking != null) {
          turns.add(Role.ASSISTANT, thinking);
        } else if (encrypted != null) {
          needs.prefer();
        }
      } else if (type.equals("item_reference")) {
        needs.require(path(at, "type"), "item references point into OpenAI's own store: send the item itself, or continue with "
            + "previous_response_id");
      } else {
        needs.require(path(at, "type"), "input items of type '" + type + "' belong to OpenAI's built-in tools; the gateway itself "
            + "serves message, function_call, function_call_output, custom_tool_call, custom_tool_call_output and reasoning items");
      }
    }
    turns.flush();
  }

  private static String customInput(JsonObject item, String at) {
    String input = optString(item, "input", at);
    if (input == null) {
      throw GatewayError.invalid(path(at, "input"), "is required");
    }
    return input;
  }

  private static void message(JsonObject item, String at, Turns turns, UnifiedRequest.Builder builder, NativeNeeds needs) {
    String role = requireString(item, "role", at);
    Object content = item.getValue("content");
    String contentPath = path(at, "content");
    switch (role) {
      case "system", "developer" -> {
        for (ContentBlock block : parts(content, contentPath, false, needs)) {
          if (!(block instanceof ContentBlock.Text text)) {
            throw GatewayError.invalid(contentPath, "a " + role + " message takes text only");
          }
          builder.system(text);
        }
      }
      case "user" -> parts(content, contentPath, false, needs).forEach(block -> turns.add(Role.USER, block));
      case "assistant" -> parts(content, contentPath, true, needs).forEach(block -> turns.add(Role.ASSISTANT, block));
      default -> throw GatewayError.invalid(path(at, "role"), "must be 'user', 'assistant', 'system' or 'developer'");
    }
  }

  private static List<ContentBlock> parts(Object content, String at, boolean assistant, NativeNeeds needs) {
    if (content instanceof String text) {
      return List.of(ContentBlock.Text.of(text));
    }
    if (!(content instanceof JsonArray parts)) {
      throw GatewayError.invalid(at, "must be a string or an array of content parts");
    }
    List<ContentBlock> blocks = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      String partPath = path(at, i);
      JsonObject part = objectAt(parts, i, at);
      String type = requireString(part, "type", partPath);
      switch (type) {
        case "input_text", "output_text", "text" -> blocks.add(ContentBlock.Text.of(textOf(part, "text", partPath)));
        case "refusal" -> blocks.add(ContentBlock.Text.of(textOf(part, "refusal", partPath)));
        case "input_image" -> {
          if (assistant) {
            throw GatewayError.invalid(path(partPath, "type"), "an assistant message takes output_text and refusal parts only");
          }
          if (uploaded(part, partPath, needs)) {
            continue;
          }
          blocks.add(image(part, partPath));
        }
        case "input_file" -> {
          if (assistant) {
            throw GatewayError.invalid(path(partPath, "type"), "an assistant message takes output_text and refusal parts only");
          }
          if (uploaded(part, partPath, needs)) {
            continue;
          }
          blocks.add(file(part, partPath));
        }
        default -> throw GatewayError.invalid(path(partPath, "type"), "content parts of type '" + type + "' are not supported; "
            + "send input_text, input_image or input_file");
      }
    }
    return blocks;
  }

  private static String textOf(JsonObject part, String field, String at) {
    String text = optString(part, field, at);
    if (text == null) {
      throw GatewayError.invalid(path(at, field), "is required");
    }
    return text;
  }

  /** Whether the part names a file uploaded to OpenAI ({@code file_id}): only OpenAI can read it. */
  private static boolean uploaded(JsonObject part, String at, NativeNeeds needs) {
    if (part.getValue("file_id") == null) {
      return false;
    }
    needs.require(path(at, "file_id"), "uploaded files (file_id) live in OpenAI's file store: send image_url, file_data or file_url "
        + "for other providers");
    return true;
  }

  private static ContentBlock image(JsonObject part, String at) {
    String url = requireString(part, "image_url", at);
    String detail = optString(part, "detail", at);
    return new ContentBlock.Image(MediaSource.fromUrlOrDataUri(url), "auto".equals(detail) ? null : detail, null);
  }

  private static ContentBlock file(JsonObject part, String at) {
    String title = optString(part, "filename", at);
    String data = optString(part, "file_data", at);
    if (data != null) {
      MediaSource source = MediaSource.fromUrlOrDataUri(data);
      if (source.isUrl()) {
        source = MediaSource.base64(mediaTypeOf(title), data);
      }
      return new ContentBlock.Document(source, title, null);
    }
    String url = optString(part, "file_url", at);
    if (url == null) {
      throw GatewayError.invalid(at, "an input_file needs file_data or file_url");
    }
    return new ContentBlock.Document(MediaSource.url(url), title, null);
  }

  /** The media type of bare base64 {@code file_data}, from its file name: PDF unless it says plain text. */
  private static String mediaTypeOf(String filename) {
    return filename != null && filename.toLowerCase(java.util.Locale.ROOT).endsWith(".txt") ? "text/plain" : "application/pdf";
  }

  private static String arguments(JsonObject item, String at) {
    Object arguments = item.getValue("arguments");
    if (arguments instanceof JsonObject object) {
      return object.encode();
    }
    if (!(arguments instanceof String text)) {
      throw GatewayError.invalid(path(at, "arguments"), "must be a JSON string");
    }
    return text;
  }

  private static List<ContentBlock> output(Object output, String at, NativeNeeds needs) {
    if (output instanceof String text) {
      return List.of(ContentBlock.Text.of(text));
    }
    if (output instanceof JsonArray) {
      return parts(output, at, false, needs);
    }
    throw GatewayError.invalid(at, "must be a string or an array of content parts");
  }

  /** Collects consecutive blocks of one role into one turn. */
  private static final class Turns {
    private final UnifiedRequest.Builder builder;
    private Role role;
    private final List<ContentBlock> blocks = new ArrayList<>();

    Turns(UnifiedRequest.Builder builder) {
      this.builder = builder;
    }

    void add(Role of, ContentBlock block) {
      if (role != null && role != of) {
        flush();
      }
      role = of;
      blocks.add(block);
    }

    void flush() {
      if (!blocks.isEmpty()) {
        builder.message(new Message(role, blocks));
        blocks.clear();
      }
    }
  }
}
