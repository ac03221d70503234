package dev.ensemble.wire.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.JsonName;
import dev.ensemble.wire.ResponseContext;

import java.io.IOException;
import java.util.List;

/**
 * Writes a unified answer as the {@code chat.completion} {@link OpenAiResponseCodec#encode} renders, field by field with
 * the streaming generator: the same fields in the same order, no tree. Stateless and thread-safe.
 */
final class CompletionWriter {

  private static final SerializableString ID = JsonName.of("id");
  private static final SerializableString OBJECT = JsonName.of("object");
  private static final SerializableString CHAT_COMPLETION = JsonName.of("chat.completion");
  private static final SerializableString CREATED = JsonName.of("created");
  private static final SerializableString MODEL = JsonName.of("model");
  private static final SerializableString CHOICES = JsonName.of("choices");
  private static final SerializableString INDEX = JsonName.of("index");
  private static final SerializableString MESSAGE = JsonName.of("message");
  private static final SerializableString ROLE = JsonName.of("role");
  private static final SerializableString ASSISTANT = JsonName.of("assistant");
  private static final SerializableString CONTENT = JsonName.of("content");
  private static final SerializableString REFUSAL = JsonName.of("refusal");
  private static final SerializableString TOOL_CALLS = JsonName.of("tool_calls");
  private static final SerializableString TYPE = JsonName.of("type");
  private static final SerializableString FUNCTION = JsonName.of("function");
  private static final SerializableString NAME = JsonName.of("name");
  private static final SerializableString ARGUMENTS = JsonName.of("arguments");
  private static final SerializableString LOGPROBS = JsonName.of("logprobs");
  private static final SerializableString FINISH_REASON = JsonName.of("finish_reason");
  private static final SerializableString USAGE = JsonName.of("usage");
  private static final SerializableString PROMPT_TOKENS = JsonName.of("prompt_tokens");
  private static final SerializableString COMPLETION_TOKENS = JsonName.of("completion_tokens");
  private static final SerializableString TOTAL_TOKENS = JsonName.of("total_tokens");
  private static final SerializableString PROMPT_TOKENS_DETAILS = JsonName.of("prompt_tokens_details");
  private static final SerializableString CACHED_TOKENS = JsonName.of("cached_tokens");
  private static final SerializableString COMPLETION_TOKENS_DETAILS = JsonName.of("completion_tokens_details");
  private static final SerializableString REASONING_TOKENS = JsonName.of("reasoning_tokens");

  void write(UnifiedResponse resp, ResponseContext ctx, JsonGenerator g) throws IOException {
    List<ContentBlock> content = resp.content();
    String text = null;
    StringBuilder joined = null;
    boolean calls = false;
    for (ContentBlock block : content) {
      if (block instanceof ContentBlock.Text t) {
        if (text == null) {
          text = t.text();
        } else {
          (joined == null ? joined = new StringBuilder(text) : joined).append(t.text());
        }
      } else if (block instanceof ContentBlock.ToolUse) {
        calls = true;
      }
    }
    g.writeStartObject();
    g.writeFieldName(ID);
    g.writeString("chatcmpl-" + ctx.requestId());
    g.writeFieldName(OBJECT);
    g.writeString(CHAT_COMPLETION);
    g.writeFieldName(CREATED);
    g.writeNumber(ctx.createdEpochSeconds());
    g.writeFieldName(MODEL);
    g.writeString(ctx.model());
    g.writeFieldName(CHOICES);
    g.writeStartArray();
    g.writeStartObject();
    g.writeFieldName(INDEX);
    g.writeNumber(0);
    g.writeFieldName(MESSAGE);
    g.writeStartObject();
    g.writeFieldName(ROLE);
    g.writeString(ASSISTANT);
    g.writeFieldName(CONTENT);
    if (text != null || !calls) {
      g.writeString(joined != null ? joined.toString() : text != null ? text : "");
    } else {
      g.writeNull();
    }
    g.writeFieldName(REFUSAL);
    g.writeNull();
    if (calls) {
      g.writeFieldName(TOOL_CALLS);
      g.writeStartArray();
      for (ContentBlock block : content) {
        if (block instanceof ContentBlock.ToolUse use) {
          g.writeStartObject();
          g.writeFieldName(ID);
          g.writeString(use.id());
          g.writeFieldName(TYPE);
          g.writeString(FUNCTION);
          g.writeFieldName(FUNCTION);
          g.writeStartObject();
          g.writeFieldName(NAME);
          g.writeString(use.name());
          g.writeFieldName(ARGUMENTS);
          g.writeString(use.inputJson());
          g.writeEndObject();
          g.writeEndObject();
        }
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeFieldName(LOGPROBS);
    g.writeNull();
    g.writeFieldName(FINISH_REASON);
    g.writeString(FinishReasons.encode(resp.stopReason()));
    g.writeEndObject();
    g.writeEndArray();
    g.writeFieldName(USAGE);
    usage(resp.usage(), g);
    g.writeEndObject();
  }

  /** {@link OpenAiUsage#encode}'s object. */
  private static void usage(Usage usage, JsonGenerator g) throws IOException {
    Usage u = usage == null ? Usage.UNKNOWN : usage;
    long prompt = u.promptTotal();
    long completion = Usage.orZero(u.output());
    g.writeStartObject();
    g.writeFieldName(PROMPT_TOKENS);
    g.writeNumber(prompt);
    g.writeFieldName(COMPLETION_TOKENS);
    g.writeNumber(completion);
    g.writeFieldName(TOTAL_TOKENS);
    g.writeNumber(prompt + completion);
    g.writeFieldName(PROMPT_TOKENS_DETAILS);
    g.writeStartObject();
    g.writeFieldName(CACHED_TOKENS);
    g.writeNumber(Usage.orZero(u.cacheRead()));
    g.writeEndObject();
    g.writeFieldName(COMPLETION_TOKENS_DETAILS);
    g.writeStartObject();
    g.writeFieldName(REASONING_TOKENS);
    g.writeNumber(Usage.orZero(u.reasoning()));
    g.writeEndObject();
    g.writeEndObject();
  }
}
