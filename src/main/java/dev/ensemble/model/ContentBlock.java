package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * One part of a message, in the gateway's unified shape. Both client formats and every provider wire
 * format translate to and from these blocks.
 *
 * <p>{@code cacheControl} is the provider-side prompt-cache marker (Anthropic's {@code cache_control})
 * carried through untouched, so a breakpoint set by a client reaches an Anthropic upstream byte for byte.
 * It is {@code null} when the client set none.
 */
public sealed interface ContentBlock {

  BlockKind kind();

  /** Plain text. */
  record Text(String text, JsonObject cacheControl) implements ContentBlock {
    public Text {
      Objects.requireNonNull(text, "text");
    }

    public static Text of(String text) {
      return new Text(text, null);
    }

    @Override
    public BlockKind kind() {
      return BlockKind.TEXT;
    }
  }

  /** An image, given either by URL or inline as base64 data with its media type. */
  record Image(MediaSource source, String detail, JsonObject cacheControl) implements ContentBlock {
    public Image {
      Objects.requireNonNull(source, "source");
    }

    @Override
    public BlockKind kind() {
      return BlockKind.IMAGE;
    }
  }

  /** A document (PDF or plain text), by URL or inline base64. */
  record Document(MediaSource source, String title, JsonObject cacheControl) implements ContentBlock {
    public Document {
      Objects.requireNonNull(source, "source");
    }

    @Override
    public BlockKind kind() {
      return BlockKind.DOCUMENT;
    }
  }

  /**
   * A tool call made by the assistant. {@code inputJson} is the arguments as JSON text, kept exactly as
   * received so that re-sending a conversation is byte-stable (OpenAI carries arguments as a string).
   */
  record ToolUse(String id, String name, String inputJson, JsonObject cacheControl) implements ContentBlock {
    public ToolUse {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      inputJson = inputJson == null || inputJson.isBlank() ? "{}" : inputJson;
    }

    @Override
    public BlockKind kind() {
      return BlockKind.TOOL_USE;
    }
  }

  /** The result of a tool call, sent back by the client in a user turn. */
  record ToolResult(String toolUseId, List<ContentBlock> content, boolean isError, JsonObject cacheControl)
      implements ContentBlock {
    public ToolResult {
      Objects.requireNonNull(toolUseId, "toolUseId");
      content = List.copyOf(content);
    }

    @Override
    public BlockKind kind() {
      return BlockKind.TOOL_RESULT;
    }
  }

  /**
   * Model reasoning. {@code signature} is Anthropic's integrity signature, needed to send the block
   * back; {@code redactedData} is set instead of {@code thinking} for a redacted block.
   */
  record Thinking(String thinking, String signature, String redactedData) implements ContentBlock {
    @Override
    public BlockKind kind() {
      return BlockKind.THINKING;
    }
  }
}
