package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes unified {@link ContentBlock}s as Anthropic content blocks, fields in Anthropic's documented order and
 * {@code cache_control} last, exactly where the block carries one. Tool-use input is the block's JSON text
 * parsed back into an object; text that is not a JSON object is sent as {@code {}}, since Anthropic accepts
 * only an object there.
 */
final class BlockWriter {

  /** A single uncached text block as a plain string, anything else as an array of blocks. */
  Object content(List<ContentBlock> blocks) {
    if (blocks.size() == 1 && blocks.get(0) instanceof ContentBlock.Text t && t.cacheControl() == null) {
      return t.text();
    }
    JsonArray array = new JsonArray();
    for (ContentBlock block : blocks) {
      array.add(block(block));
    }
    return array;
  }

  JsonObject block(ContentBlock block) {
    if (block instanceof ContentBlock.Text t) {
      return withCache(new JsonObject().put("type", "text").put("text", t.text()), t.cacheControl());
    }
    if (block instanceof ContentBlock.Image i) {
      return withCache(new JsonObject().put("type", "image").put("source", imageSource(i.source())), i.cacheControl());
    }
    if (block instanceof ContentBlock.Document d) {
      JsonObject json = new JsonObject().put("type", "document").put("source", documentSource(d.source()));
      if (d.title() != null) {
        json.put("title", d.title());
      }
      return withCache(json, d.cacheControl());
    }
    if (block instanceof ContentBlock.ToolUse u) {
      return withCache(new JsonObject().put("type", "tool_use").put("id", u.id()).put("name", u.name())
          .put("input", inputObject(u.inputJson())), u.cacheControl());
    }
    if (block instanceof ContentBlock.ToolResult r) {
      JsonObject json = new JsonObject().put("type", "tool_result").put("tool_use_id", r.toolUseId());
      if (!r.content().isEmpty()) {
        json.put("content", content(r.content()));
      }
      if (r.isError()) {
        json.put("is_error", true);
      }
      return withCache(json, r.cacheControl());
    }
    ContentBlock.Thinking t = (ContentBlock.Thinking) block;
    if (t.redactedData() != null) {
      return new JsonObject().put("type", "redacted_thinking").put("data", t.redactedData());
    }
    return new JsonObject().put("type", "thinking")
        .put("thinking", t.thinking() == null ? "" : t.thinking())
        .put("signature", t.signature() == null ? "" : t.signature());
  }

  /** Tool-use input as a JSON object; {@code {}} when the text is not one. */
  static JsonObject inputObject(String inputJson) {
    try {
      Object value = Json.decodeValue(inputJson);
      return value instanceof JsonObject o ? o : new JsonObject();
    } catch (DecodeException | NullPointerException notJson) {
      return new JsonObject();
    }
  }

  private static JsonObject withCache(JsonObject json, JsonObject cacheControl) {
    if (cacheControl != null) {
      json.put("cache_control", cacheControl);
    }
    return json;
  }

  private static JsonObject imageSource(MediaSource source) {
    if (source.isUrl()) {
      return new JsonObject().put("type", "url").put("url", source.url());
    }
    return base64(source);
  }

  private static JsonObject documentSource(MediaSource source) {
    if (source.isUrl()) {
      return new JsonObject().put("type", "url").put("url", source.url());
    }
    if (BlockReader.TEXT_PLAIN.equals(source.mediaType())) {
      try {
        String text = new String(Base64.getDecoder().decode(source.data()), StandardCharsets.UTF_8);
        return new JsonObject().put("type", "text").put("media_type", BlockReader.TEXT_PLAIN).put("data", text);
      } catch (IllegalArgumentException notBase64) {
        return base64(source);
      }
    }
    return base64(source);
  }

  private static JsonObject base64(MediaSource source) {
    JsonObject json = new JsonObject().put("type", "base64");
    if (source.mediaType() != null) {
      json.put("media_type", source.mediaType());
    }
    return json.put("data", source.data());
  }
}
