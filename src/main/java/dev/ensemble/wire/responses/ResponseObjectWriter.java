package dev.ensemble.wire.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonName;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * Writes a unified answer as the {@code response} object {@link ResponseObjects#response} renders, field by field with
 * the streaming generator: the same fields in the same order (the skeleton's, with the output, the details, the error and
 * the usage in their places), the request's echoed values as the client sent them, no tree of the answer. An upstream's
 * own object ({@link UnifiedResponse#nativeBody()}) is written as {@link ResponseObjects#fromNative} shows it. Stateless
 * and thread-safe.
 */
final class ResponseObjectWriter {

  private static final SerializableString ID = JsonName.of("id");
  private static final SerializableString OBJECT = JsonName.of("object");
  private static final SerializableString RESPONSE = JsonName.of("response");
  private static final SerializableString CREATED_AT = JsonName.of("created_at");
  private static final SerializableString STATUS = JsonName.of("status");
  private static final SerializableString BACKGROUND = JsonName.of("background");
  private static final SerializableString ERROR = JsonName.of("error");
  private static final SerializableString CODE = JsonName.of("code");
  private static final SerializableString MESSAGE = JsonName.of("message");
  private static final SerializableString INCOMPLETE_DETAILS = JsonName.of("incomplete_details");
  private static final SerializableString REASON = JsonName.of("reason");
  private static final SerializableString MODEL = JsonName.of("model");
  private static final SerializableString OUTPUT = JsonName.of("output");
  private static final SerializableString SERVICE_TIER = JsonName.of("service_tier");
  private static final SerializableString USAGE = JsonName.of("usage");
  private static final SerializableString TYPE = JsonName.of("type");
  private static final SerializableString ROLE = JsonName.of("role");
  private static final SerializableString ASSISTANT = JsonName.of("assistant");
  private static final SerializableString CONTENT = JsonName.of("content");
  private static final SerializableString OUTPUT_TEXT = JsonName.of("output_text");
  private static final SerializableString TEXT = JsonName.of("text");
  private static final SerializableString ANNOTATIONS = JsonName.of("annotations");
  private static final SerializableString LOGPROBS = JsonName.of("logprobs");
  private static final SerializableString COMPLETED = JsonName.of("completed");
  private static final SerializableString INCOMPLETE = JsonName.of("incomplete");
  private static final SerializableString FUNCTION_CALL = JsonName.of("function_call");
  private static final SerializableString CUSTOM_TOOL_CALL = JsonName.of("custom_tool_call");
  private static final SerializableString ARGUMENTS = JsonName.of("arguments");
  private static final SerializableString CALL_ID = JsonName.of("call_id");
  private static final SerializableString NAME = JsonName.of("name");
  private static final SerializableString INPUT = JsonName.of("input");
  private static final SerializableString REASONING = JsonName.of("reasoning");
  private static final SerializableString SUMMARY = JsonName.of("summary");
  private static final SerializableString SUMMARY_TEXT = JsonName.of("summary_text");
  private static final SerializableString ENCRYPTED_CONTENT = JsonName.of("encrypted_content");
  private static final SerializableString INPUT_TOKENS = JsonName.of("input_tokens");
  private static final SerializableString INPUT_TOKENS_DETAILS = JsonName.of("input_tokens_details");
  private static final SerializableString CACHED_TOKENS = JsonName.of("cached_tokens");
  private static final SerializableString OUTPUT_TOKENS = JsonName.of("output_tokens");
  private static final SerializableString OUTPUT_TOKENS_DETAILS = JsonName.of("output_tokens_details");
  private static final SerializableString REASONING_TOKENS = JsonName.of("reasoning_tokens");
  private static final SerializableString TOTAL_TOKENS = JsonName.of("total_tokens");

  // the skeleton's defaults for what the request did not set: only ever encoded, never handed out or changed
  private static final JsonObject NO_METADATA = new JsonObject();
  private static final JsonObject NO_REASONING = new JsonObject().put("effort", null).put("summary", null);
  private static final JsonObject TEXT_FORMAT = new JsonObject().put("format", new JsonObject().put("type", "text"));
  private static final JsonArray NO_TOOLS = new JsonArray();

  void write(UnifiedResponse answer, ResponseContext context, JsonGenerator g) throws IOException {
    if (answer.nativeBody() != null) {
      JacksonCodec.encodeJson(ResponseObjects.fromNative(answer.nativeBody(), context), g);
      return;
    }
    JsonObject echo = context.echo();
    StopReason stop = answer.stopReason();
    g.writeStartObject();
    g.writeFieldName(ID);
    g.writeString(context.requestId());
    g.writeFieldName(OBJECT);
    g.writeString(RESPONSE);
    g.writeFieldName(CREATED_AT);
    g.writeNumber(context.createdEpochSeconds());
    String status = ResponseObjects.status(stop);
    g.writeFieldName(STATUS);
    g.writeString(status);
    g.writeFieldName(BACKGROUND);
    g.writeBoolean(false);
    g.writeFieldName(ERROR);
    if (stop == StopReason.ERROR) {
      g.writeStartObject();
      g.writeFieldName(CODE);
      g.writeString("server_error");
      g.writeFieldName(MESSAGE);
      g.writeString("The answer ended in an error");
      g.writeEndObject();
    } else {
      g.writeNull();
    }
    g.writeFieldName(INCOMPLETE_DETAILS);
    if (stop == StopReason.MAX_TOKENS || stop == StopReason.CONTENT_FILTER) {
      g.writeStartObject();
      g.writeFieldName(REASON);
      g.writeString(stop == StopReason.MAX_TOKENS ? "max_output_tokens" : "content_filter");
      g.writeEndObject();
    } else {
      g.writeNull();
    }
    echoed(g, "instructions", echo.getValue("instructions"));
    echoed(g, "max_output_tokens", echo.getValue("max_output_tokens"));
    echoed(g, "metadata", echo.getValue("metadata", NO_METADATA));
    g.writeFieldName(MODEL);
    g.writeString(context.model());
    g.writeFieldName(OUTPUT);
    g.writeStartArray();
    int cut = status.equals("completed") ? -1 : lastShown(answer.content());
    int index = 0;
    for (int i = 0; i < answer.content().size(); i++) {
      SerializableString itemStatus = i == cut ? INCOMPLETE : COMPLETED;
      if (item(answer.content().get(i), context.requestId(), index, echo, itemStatus, g)) {
        index++;
      }
    }
    g.writeEndArray();
    echoed(g, "parallel_tool_calls", echo.getValue("parallel_tool_calls", true));
    echoed(g, "previous_response_id", echo.getValue("previous_response_id"));
    echoed(g, "prompt_cache_key", echo.getValue("prompt_cache_key"));
    echoed(g, "reasoning", echo.getValue("reasoning", NO_REASONING));
    g.writeFieldName(SERVICE_TIER);
    g.writeString("default");
    echoed(g, "store", echo.getValue("store", true));
    echoed(g, "temperature", echo.getValue("temperature", 1.0));
    echoed(g, "text", echo.getValue("text", TEXT_FORMAT));
    echoed(g, "tool_choice", echo.getValue("tool_choice", "auto"));
    echoed(g, "tools", echo.getValue("tools", NO_TOOLS));
    echoed(g, "top_p", echo.getValue("top_p", 1.0));
    echoed(g, "truncation", echo.getValue("truncation", "disabled"));
    g.writeFieldName(USAGE);
    if (stop == null) {
      g.writeNull();
    } else {
      usage(answer.usage(), g);
    }
    echoed(g, "user", echo.getValue("user"));
    g.writeEndObject();
  }

  /** A request field repeated in the answer, as {@code echo} holds it (its default when the request had none). */
  private static void echoed(JsonGenerator g, String name, Object value) throws IOException {
    g.writeFieldName(name);
    JacksonCodec.encodeJson(value, g);
  }

  /**
   * The position in {@code content} of the block shown as the last output item, or -1: in an answer that did not
   * complete it is the item the answer was cut in, shown {@code incomplete} when it has a status (as
   * {@link ResponseObjects#response} marks the last item of its tree).
   */
  private static int lastShown(java.util.List<ContentBlock> content) {
    for (int i = content.size() - 1; i >= 0; i--) {
      ContentBlock block = content.get(i);
      if (block instanceof ContentBlock.Text || block instanceof ContentBlock.ToolUse || block instanceof ContentBlock.Thinking) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@link ResponseObjects#item}'s object, with {@code status} on a message or tool call; false (nothing written) for
   * a block the format does not show.
   */
  private static boolean item(ContentBlock block, String responseId, int index, JsonObject echo, SerializableString status,
      JsonGenerator g) throws IOException {
    if (block instanceof ContentBlock.Text text) {
      g.writeStartObject();
      g.writeFieldName(ID);
      g.writeString(ResponseObjects.itemId("msg", responseId, index));
      g.writeFieldName(TYPE);
      g.writeString(MESSAGE);
      g.writeFieldName(STATUS);
      g.writeString(status);
      g.writeFieldName(ROLE);
      g.writeString(ASSISTANT);
      g.writeFieldName(CONTENT);
      g.writeStartArray();
      g.writeStartObject();
      g.writeFieldName(TYPE);
      g.writeString(OUTPUT_TEXT);
      g.writeFieldName(TEXT);
      g.writeString(text.text());
      g.writeFieldName(ANNOTATIONS);
      g.writeStartArray();
      g.writeEndArray();
      g.writeFieldName(LOGPROBS);
      g.writeStartArray();
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      return true;
    }
    if (block instanceof ContentBlock.ToolUse use && ResponseObjects.isCustom(use.name(), echo)) {
      g.writeStartObject();
      g.writeFieldName(ID);
      g.writeString(ResponseObjects.itemId("ctc", responseId, index));
      g.writeFieldName(TYPE);
      g.writeString(CUSTOM_TOOL_CALL);
      g.writeFieldName(STATUS);
      g.writeString(status);
      g.writeFieldName(CALL_ID);
      g.writeString(use.id());
      g.writeFieldName(INPUT);
      g.writeString(CustomTools.input(use.inputJson()));
      g.writeFieldName(NAME);
      g.writeString(use.name());
      g.writeEndObject();
      return true;
    }
    if (block instanceof ContentBlock.ToolUse use) {
      g.writeStartObject();
      g.writeFieldName(ID);
      g.writeString(ResponseObjects.itemId("fc", responseId, index));
      g.writeFieldName(TYPE);
      g.writeString(FUNCTION_CALL);
      g.writeFieldName(STATUS);
      g.writeString(status);
      g.writeFieldName(ARGUMENTS);
      g.writeString(use.inputJson());
      g.writeFieldName(CALL_ID);
      g.writeString(use.id());
      g.writeFieldName(NAME);
      g.writeString(use.name());
      g.writeEndObject();
      return true;
    }
    if (block instanceof ContentBlock.Thinking thinking) {
      String summary = thinking.thinking();
      String encrypted = echo.getBoolean("include_encrypted_reasoning", false) ? EncryptedReasoning.mint(thinking) : null;
      g.writeStartObject();
      g.writeFieldName(ID);
      g.writeString(ResponseObjects.itemId("rs", responseId, index));
      g.writeFieldName(TYPE);
      g.writeString(REASONING);
      g.writeFieldName(SUMMARY);
      g.writeStartArray();
      if (summary != null && !summary.isEmpty()) {
        g.writeStartObject();
        g.writeFieldName(TYPE);
        g.writeString(SUMMARY_TEXT);
        g.writeFieldName(TEXT);
        g.writeString(summary);
        g.writeEndObject();
      }
      g.writeEndArray();
      if (encrypted != null) {
        g.writeFieldName(ENCRYPTED_CONTENT);
        g.writeString(encrypted);
      }
      g.writeEndObject();
      return true;
    }
    return false;
  }

  /** {@link ResponseObjects#usage}'s object. */
  private static void usage(Usage usage, JsonGenerator g) throws IOException {
    long input = usage.promptTotal();
    long output = Usage.orZero(usage.output());
    g.writeStartObject();
    g.writeFieldName(INPUT_TOKENS);
    g.writeNumber(input);
    g.writeFieldName(INPUT_TOKENS_DETAILS);
    g.writeStartObject();
    g.writeFieldName(CACHED_TOKENS);
    g.writeNumber(Usage.orZero(usage.cacheRead()));
    g.writeEndObject();
    g.writeFieldName(OUTPUT_TOKENS);
    g.writeNumber(output);
    g.writeFieldName(OUTPUT_TOKENS_DETAILS);
    g.writeStartObject();
    g.writeFieldName(REASONING_TOKENS);
    g.writeNumber(Usage.orZero(usage.reasoning()));
    g.writeEndObject();
    g.writeFieldName(TOTAL_TOKENS);
    g.writeNumber(input + output);
    g.writeEndObject();
  }
}
