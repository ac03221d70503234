package dev.ensemble.wire.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonName;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * Writes a unified answer as the message {@link AnthropicResponseCodec#encode} renders, field by field with the streaming
 * generator: the same fields in the same order, no tree (but for a tool call's input, parsed and written as
 * {@link BlockWriter} writes it, and a block an answer does not usually hold, written as its tree). Stateless and
 * thread-safe.
 */
final class MessageWriter {

  private static final SerializableString ID = JsonName.of("id");
  private static final SerializableString TYPE = JsonName.of("type");
  private static final SerializableString MESSAGE = JsonName.of("message");
  private static final SerializableString ROLE = JsonName.of("role");
  private static final SerializableString ASSISTANT = JsonName.of("assistant");
  private static final SerializableString MODEL = JsonName.of("model");
  private static final SerializableString CONTENT = JsonName.of("content");
  private static final SerializableString STOP_REASON = JsonName.of("stop_reason");
  private static final SerializableString STOP_SEQUENCE = JsonName.of("stop_sequence");
  private static final SerializableString USAGE = JsonName.of("usage");
  private static final SerializableString INPUT_TOKENS = JsonName.of("input_tokens");
  private static final SerializableString CACHE_CREATION_INPUT_TOKENS = JsonName.of("cache_creation_input_tokens");
  private static final SerializableString CACHE_READ_INPUT_TOKENS = JsonName.of("cache_read_input_tokens");
  private static final SerializableString OUTPUT_TOKENS = JsonName.of("output_tokens");
  private static final SerializableString TEXT = JsonName.of("text");
  private static final SerializableString TOOL_USE = JsonName.of("tool_use");
  private static final SerializableString NAME = JsonName.of("name");
  private static final SerializableString INPUT = JsonName.of("input");
  private static final SerializableString CACHE_CONTROL = JsonName.of("cache_control");
  private static final SerializableString THINKING = JsonName.of("thinking");
  private static final SerializableString SIGNATURE = JsonName.of("signature");
  private static final SerializableString REDACTED_THINKING = JsonName.of("redacted_thinking");
  private static final SerializableString DATA = JsonName.of("data");

  private final BlockWriter blocks = new BlockWriter();

  void write(UnifiedResponse resp, ResponseContext ctx, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeFieldName(ID);
    g.writeString("msg_" + ctx.requestId());
    g.writeFieldName(TYPE);
    g.writeString(MESSAGE);
    g.writeFieldName(ROLE);
    g.writeString(ASSISTANT);
    g.writeFieldName(MODEL);
    g.writeString(ctx.model());
    g.writeFieldName(CONTENT);
    g.writeStartArray();
    for (ContentBlock block : resp.content()) {
      block(block, g);
    }
    g.writeEndArray();
    g.writeFieldName(STOP_REASON);
    g.writeString(StopReasons.write(resp.stopReason()));
    g.writeFieldName(STOP_SEQUENCE);
    g.writeString(resp.stopSequence());
    g.writeFieldName(USAGE);
    Usage u = resp.usage() == null ? Usage.UNKNOWN : resp.usage();
    g.writeStartObject();
    g.writeFieldName(INPUT_TOKENS);
    g.writeNumber(Usage.orZero(u.input()));
    g.writeFieldName(CACHE_CREATION_INPUT_TOKENS);
    g.writeNumber(Usage.orZero(u.cacheWrite()));
    g.writeFieldName(CACHE_READ_INPUT_TOKENS);
    g.writeNumber(Usage.orZero(u.cacheRead()));
    g.writeFieldName(OUTPUT_TOKENS);
    g.writeNumber(Usage.orZero(u.output()));
    g.writeEndObject();
    g.writeEndObject();
  }

  /** {@link BlockWriter#block}'s object for the blocks of an answer; any other block as that tree. */
  private void block(ContentBlock block, JsonGenerator g) throws IOException {
    if (block instanceof ContentBlock.Text t) {
      g.writeStartObject();
      g.writeFieldName(TYPE);
      g.writeString(TEXT);
      g.writeFieldName(TEXT);
      g.writeString(t.text());
      cacheControl(t.cacheControl(), g);
      g.writeEndObject();
    } else if (block instanceof ContentBlock.ToolUse u) {
      g.writeStartObject();
      g.writeFieldName(TYPE);
      g.writeString(TOOL_USE);
      g.writeFieldName(ID);
      g.writeString(u.id());
      g.writeFieldName(NAME);
      g.writeString(u.name());
      g.writeFieldName(INPUT);
      JacksonCodec.encodeJson(BlockWriter.inputObject(u.inputJson()), g);
      cacheControl(u.cacheControl(), g);
      g.writeEndObject();
    } else if (block instanceof ContentBlock.Thinking t) {
      g.writeStartObject();
      g.writeFieldName(TYPE);
      if (t.redactedData() != null) {
        g.writeString(REDACTED_THINKING);
        g.writeFieldName(DATA);
        g.writeString(t.redactedData());
      } else {
        g.writeString(THINKING);
        g.writeFieldName(THINKING);
        g.writeString(t.thinking() == null ? "" : t.thinking());
        g.writeFieldName(SIGNATURE);
        g.writeString(t.signature() == null ? "" : t.signature());
      }
      g.writeEndObject();
    } else {
      JacksonCodec.encodeJson(blocks.block(block), g);
    }
  }

  private static void cacheControl(JsonObject cacheControl, JsonGenerator g) throws IOException {
    if (cacheControl != null) {
      g.writeFieldName(CACHE_CONTROL);
      JacksonCodec.encodeJson(cacheControl, g);
    }
  }
}
