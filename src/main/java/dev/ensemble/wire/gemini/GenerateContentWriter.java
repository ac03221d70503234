package dev.ensemble.wire.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonName;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * Writes a unified answer as the {@code GenerateContentResponse} {@link ClientResponses#response} renders, field by field
 * with the streaming generator: the same fields in the same order, no tree (but for a function call, whose
 * {@code args} are parsed, written as {@link ClientResponses#functionCall} makes it). Stateless and thread-safe.
 */
final class GenerateContentWriter {

  private static final SerializableString CANDIDATES = JsonName.of("candidates");
  private static final SerializableString CONTENT = JsonName.of("content");
  private static final SerializableString PARTS = JsonName.of("parts");
  private static final SerializableString TEXT = JsonName.of("text");
  private static final SerializableString THOUGHT = JsonName.of("thought");
  private static final SerializableString ROLE = JsonName.of("role");
  private static final SerializableString MODEL = JsonName.of("model");
  private static final SerializableString FINISH_REASON = JsonName.of("finishReason");
  private static final SerializableString INDEX = JsonName.of("index");
  private static final SerializableString USAGE_METADATA = JsonName.of("usageMetadata");
  private static final SerializableString PROMPT_TOKEN_COUNT = JsonName.of("promptTokenCount");
  private static final SerializableString CANDIDATES_TOKEN_COUNT = JsonName.of("candidatesTokenCount");
  private static final SerializableString TOTAL_TOKEN_COUNT = JsonName.of("totalTokenCount");
  private static final SerializableString THOUGHTS_TOKEN_COUNT = JsonName.of("thoughtsTokenCount");
  private static final SerializableString CACHED_CONTENT_TOKEN_COUNT = JsonName.of("cachedContentTokenCount");
  private static final SerializableString MODEL_VERSION = JsonName.of("modelVersion");
  private static final SerializableString RESPONSE_ID = JsonName.of("responseId");

  /** The answer; thinking as {@code thought} parts only when {@code thoughts} (the client's {@code includeThoughts}). */
  void write(UnifiedResponse answer, ResponseContext context, boolean thoughts, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeFieldName(CANDIDATES);
    g.writeStartArray();
    g.writeStartObject();
    g.writeFieldName(CONTENT);
    g.writeStartObject();
    g.writeFieldName(PARTS);
    g.writeStartArray();
    for (ContentBlock block : answer.content()) {
      if (block instanceof ContentBlock.Text text) {
        g.writeStartObject();
        g.writeFieldName(TEXT);
        g.writeString(text.text());
        g.writeEndObject();
      } else if (block instanceof ContentBlock.Thinking thinking && thoughts && thinking.thinking() != null) {
        g.writeStartObject();
        g.writeFieldName(TEXT);
        g.writeString(thinking.thinking());
        g.writeFieldName(THOUGHT);
        g.writeBoolean(true);
        g.writeEndObject();
      } else if (block instanceof ContentBlock.ToolUse use) {
        JacksonCodec.encodeJson(ClientResponses.functionCall(use.id(), use.name(), use.inputJson()), g);
      }
    }
    g.writeEndArray();
    g.writeFieldName(ROLE);
    g.writeString(MODEL);
    g.writeEndObject();
    if (answer.stopReason() != null) {
      g.writeFieldName(FINISH_REASON);
      g.writeString(ClientResponses.finishReason(answer.stopReason()));
    }
    g.writeFieldName(INDEX);
    g.writeNumber(0);
    g.writeEndObject();
    g.writeEndArray();
    if (answer.stopReason() != null) {
      g.writeFieldName(USAGE_METADATA);
      usageMetadata(answer.usage(), g);
    }
    g.writeFieldName(MODEL_VERSION);
    g.writeString(context.model());
    g.writeFieldName(RESPONSE_ID);
    g.writeString(context.requestId());
    g.writeEndObject();
  }

  /** {@link ClientResponses#usageMetadata}'s object. */
  private static void usageMetadata(Usage usage, JsonGenerator g) throws IOException {
    long prompt = usage.promptTotal();
    long output = Usage.orZero(usage.output());
    long thoughts = Math.min(output, Usage.orZero(usage.reasoning()));
    g.writeStartObject();
    g.writeFieldName(PROMPT_TOKEN_COUNT);
    g.writeNumber(prompt);
    g.writeFieldName(CANDIDATES_TOKEN_COUNT);
    g.writeNumber(output - thoughts);
    g.writeFieldName(TOTAL_TOKEN_COUNT);
    g.writeNumber(prompt + output);
    if (thoughts > 0) {
      g.writeFieldName(THOUGHTS_TOKEN_COUNT);
      g.writeNumber(thoughts);
    }
    if (Usage.orZero(usage.cacheRead()) > 0) {
      g.writeFieldName(CACHED_CONTENT_TOKEN_COUNT);
      g.writeNumber(usage.cacheRead().longValue());
    }
    g.writeEndObject();
  }
}
