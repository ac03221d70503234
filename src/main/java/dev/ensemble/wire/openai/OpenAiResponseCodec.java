package dev.ensemble.wire.openai;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamBody;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Complete (non-streamed) OpenAI {@code chat.completion} bodies: {@link #decode} reads an upstream's answer,
 * {@link #encode} renders a unified answer for a client. Stateless and thread-safe.
 */
public final class OpenAiResponseCodec {

  /**
   * An upstream {@code chat.completion} read in one pass by the {@link CompletionScanner}, with the body's bytes kept for
   * an OpenAI client ({@link UnifiedResponse#upstreamBody()}) when it has one choice; null when the body is to be read as
   * a tree ({@link #decode(JsonObject)}), which decides about anything unusual and words the errors.
   */
  public UnifiedResponse decode(Buffer body) {
    byte[] bytes = body.getBytes();
    CompletionScanner.Completion c = new CompletionScanner.Completion();
    if (!new CompletionScanner().read(bytes, bytes.length, c)) {
      return null;
    }
    OpenAiUsage.logReportedCost(c.id, c.model, c.usage.cost);
    Usage usage = c.usage.present ? c.usage.usage() : Usage.UNKNOWN;
    UnifiedResponse answer = answer(c.id, c.model, c.reasoning, c.content, c.refusal, c.toolCalls, c.finish, usage);
    if (c.choices != 1) {
      return answer;
    }
    return answer.withUpstreamBody(new UpstreamBody("openai", body, c.idStart, c.idEnd, c.modelStart, c.modelEnd, c.createdStart,
        c.createdEnd));
  }

  /**
   * An upstream {@code chat.completion} as a unified response (first choice only).
   *
   * @throws UpstreamProtocolException when the body has no choices or a field has the wrong type
   */
  public UnifiedResponse decode(JsonObject body) {
    if (!(body.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()) {
      throw new UpstreamProtocolException("OpenAI response has no choices");
    }
    if (!(choices.getValue(0) instanceof JsonObject choice)
        || !(choice.getValue("message") instanceof JsonObject message)) {
      throw new UpstreamProtocolException("OpenAI response choice has no message");
    }
    String reasoning = string(message, "reasoning_content");
    String text = text(message.getValue("content"));
    String refusal = string(message, "refusal");
    List<ContentBlock.ToolUse> calls = new ArrayList<>();
    if (message.getValue("tool_calls") instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        calls.add(toolCall(array.getValue(i)));
      }
    } else if (message.getValue("tool_calls") != null) {
      throw new UpstreamProtocolException("OpenAI response tool_calls is not an array");
    }
    String finish = string(choice, "finish_reason");
    OpenAiUsage.logReportedCost(string(body, "id"), string(body, "model"), body.getValue("usage"));
    return answer(string(body, "id"), string(body, "model"), reasoning, text, refusal, calls, finish,
        OpenAiUsage.decode(body.getValue("usage")));
  }

  /** The unified answer of a completion's values, however they were read. */
  private static UnifiedResponse answer(String id, String model, String reasoning, String text, String refusal,
      List<ContentBlock.ToolUse> calls, String finish, Usage usage) {
    List<ContentBlock> content = new ArrayList<>(calls.size() + 1);
    if (reasoning != null && !reasoning.isEmpty()) {
      content.add(new ContentBlock.Thinking(reasoning, null, null));
    }
    if (text != null && !text.isEmpty()) {
      content.add(ContentBlock.Text.of(text));
    }
    if (refusal != null) {
      content.add(ContentBlock.Text.of(refusal));
    }
    content.addAll(calls);
    StopReason stop = refusal != null && "stop".equals(finish) ? StopReason.REFUSAL : FinishReasons.decode(finish);
    return new UnifiedResponse(id, model, content, stop, null, usage);
  }

  /** A unified answer as the {@code chat.completion} a client expects, under the gateway's id and model. */
  public JsonObject encode(UnifiedResponse resp, ResponseContext ctx) {
    StringBuilder text = new StringBuilder();
    boolean hasText = false;
    JsonArray calls = new JsonArray();
    for (ContentBlock block : resp.content()) {
      if (block instanceof ContentBlock.Text t) {
        text.append(t.text());
        hasText = true;
      } else if (block instanceof ContentBlock.ToolUse use) {
        calls.add(new JsonObject().put("id", use.id()).put("type", "function").put("function",
            new JsonObject().put("name", use.name()).put("arguments", use.inputJson())));
      }
    }
    JsonObject message = new JsonObject().put("role", "assistant")
        .put("content", hasText || calls.isEmpty() ? text.toString() : null)
        .put("refusal", null);
    if (!calls.isEmpty()) {
      message.put("tool_calls", calls);
    }
    JsonObject choice = new JsonObject().put("index", 0).put("message", message).put("logprobs", null)
        .put("finish_reason", FinishReasons.encode(resp.stopReason()));
    return new JsonObject()
        .put("id", "chatcmpl-" + ctx.requestId())
        .put("object", "chat.completion")
        .put("created", ctx.createdEpochSeconds())
        .put("model", ctx.model())
        .put("choices", new JsonArray().add(choice))
        .put("usage", OpenAiUsage.encode(resp.usage()));
  }

  private static ContentBlock.ToolUse toolCall(Object value) {
    if (!(value instanceof JsonObject call) || !(call.getValue("function") instanceof JsonObject function)) {
      throw new UpstreamProtocolException("OpenAI tool call has no function");
    }
    String id = string(call, "id");
    String name = string(function, "name");
    if (id == null || name == null) {
      throw new UpstreamProtocolException("OpenAI tool call lacks id or function.name");
    }
    return new ContentBlock.ToolUse(id, name, string(function, "arguments"), null);
  }

  private static String text(Object content) {
    if (content == null || content instanceof String) {
      return (String) content;
    }
    if (!(content instanceof JsonArray parts)) {
      throw new UpstreamProtocolException("OpenAI message content is neither a string nor an array");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      if (parts.getValue(i) instanceof JsonObject part && part.getValue("text") instanceof String t) {
        sb.append(t);
      }
    }
    return sb.toString();
  }

  static String string(JsonObject obj, String field) {
    Object value = obj.getValue(field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw new UpstreamProtocolException("OpenAI field '" + field + "' is not a string");
  }
}
