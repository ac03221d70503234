package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static dev.ensemble.wire.anthropic.JsonFields.path;

/**
 * Reads Anthropic content blocks into unified {@link ContentBlock}s. Which block types are allowed depends on
 * where they appear (user turn, assistant turn, tool result, response). A plain-text document source
 * ({@code {"type":"text","data":...}}) becomes an inline {@code text/plain} source holding the text base64
 * encoded, so {@link MediaSource#data()} is always base64; {@link BlockWriter} turns it back into text.
 */
final class BlockReader {

  static final Set<String> USER_TYPES = Set.of("text", "image", "document", "tool_result");
  static final Set<String> ASSISTANT_TYPES = Set.of("text", "tool_use", "thinking", "redacted_thinking");
  static final Set<String> TOOL_RESULT_TYPES = Set.of("text", "image", "document");

  static final String TEXT_PLAIN = "text/plain";

  private final JsonFields fields;

  BlockReader(JsonFields fields) {
    this.fields = fields;
  }

  /** A message's or tool result's content: a string (one text block) or an array of blocks. */
  List<ContentBlock> content(Object content, String path, Set<String> allowed, String where) {
    if (content instanceof String s) {
      return List.of(ContentBlock.Text.of(s));
    }
    if (!(content instanceof JsonArray array)) {
      throw fields.fail(path, content == null ? "required content is missing" : "must be a string or an array of content blocks");
    }
    List<ContentBlock> blocks = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      blocks.add(block(fields.objectAt(array, i, path), path(path, i), allowed, where));
    }
    return blocks;
  }

  ContentBlock block(JsonObject block, String path, Set<String> allowed, String where) {
    String type = fields.requireString(block, "type", path);
    if (!allowed.contains(type)) {
      boolean known = USER_TYPES.contains(type) || ASSISTANT_TYPES.contains(type);
      throw fields.fail(path(path, "type"),
          known ? "content type '" + type + "' is not allowed in " + where : "unknown content type '" + type + "'");
    }
    JsonObject cacheControl = fields.optObject(block, "cache_control", path);
    return switch (type) {
      case "text" -> new ContentBlock.Text(fields.requireString(block, "text", path), cacheControl);
      case "image" -> new ContentBlock.Image(imageSource(fields.requireObject(block, "source", path), path(path, "source")),
          null, cacheControl);
      case "document" -> new ContentBlock.Document(documentSource(fields.requireObject(block, "source", path), path(path, "source")),
          fields.optString(block, "title", path), cacheControl);
      case "tool_use" -> toolUse(block, path, cacheControl);
      case "tool_result" -> toolResult(block, path, cacheControl);
      case "thinking" -> new ContentBlock.Thinking(fields.requireString(block, "thinking", path),
          fields.optString(block, "signature", path), null);
      case "redacted_thinking" -> new ContentBlock.Thinking(null, null, fields.requireString(block, "data", path));
      default -> throw fields.fail(path(path, "type"), "unknown content type '" + type + "'");
    };
  }

  private ContentBlock.ToolUse toolUse(JsonObject block, String path, JsonObject cacheControl) {
    String id = fields.requireString(block, "id", path);
    String name = fields.requireString(block, "name", path);
    JsonObject input = fields.optObject(block, "input", path);
    return new ContentBlock.ToolUse(id, name, input == null ? "{}" : input.encode(), cacheControl);
  }

  private ContentBlock.ToolResult toolResult(JsonObject block, String path, JsonObject cacheControl) {
    String toolUseId = fields.requireString(block, "tool_use_id", path);
    Object content = block.getValue("content");
    List<ContentBlock> inner = content == null
        ? List.of()
        : content(content, path(path, "content"), TOOL_RESULT_TYPES, "a tool result");
    Boolean isError = fields.optBoolean(block, "is_error", path);
    return new ContentBlock.ToolResult(toolUseId, inner, Boolean.TRUE.equals(isError), cacheControl);
  }

  private MediaSource imageSource(JsonObject source, String path) {
    String type = fields.requireString(source, "type", path);
    return switch (type) {
      case "base64" -> MediaSource.base64(fields.requireString(source, "media_type", path), base64(source, path, "image data"));
      case "url" -> MediaSource.url(fields.requireString(source, "url", path));
      default -> throw fields.fail(path(path, "type"), "unsupported image source type '" + type + "'");
    };
  }

  private String base64(JsonObject source, String path, String what) {
    String data = fields.requireString(source, "data", path);
    String problem = MediaSource.base64Problem(data, what);
    if (problem != null) {
      throw fields.fail(path(path, "data"), problem);
    }
    return data;
  }

  private MediaSource documentSource(JsonObject source, String path) {
    String type = fields.requireString(source, "type", path);
    return switch (type) {
      case "base64" -> MediaSource.base64(fields.requireString(source, "media_type", path), base64(source, path, "document data"));
      case "text" -> MediaSource.base64(TEXT_PLAIN, Base64.getEncoder().encodeToString(
          fields.requireString(source, "data", path).getBytes(StandardCharsets.UTF_8)));
      case "url" -> MediaSource.url(fields.requireString(source, "url", path));
      default -> throw fields.fail(path(path, "type"), "unsupported document source type '" + type + "'");
    };
  }
}
