package dev.ensemble.wire.openai;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.Sse;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Renders unified events as the {@code chat.completion.chunk} SSE stream OpenAI sends: a role chunk, content
 * and tool-call chunks (tool calls numbered 0, 1, ... in order), a finish chunk with an empty delta, the
 * usage chunk ({@code choices: []}) when the client asked for {@code stream_options.include_usage}, then
 * {@code data: [DONE]}. Thinking is not shown. An error ends the stream with {@code data: {"error":{...}}}
 * and no {@code [DONE]}. One encoder per response.
 */
public final class OpenAiStreamEncoder implements StreamEncoder {

  private static final Buffer EMPTY = Buffer.buffer(new byte[0]);

  private final ResponseContext ctx;
  private final boolean includeUsage;
  private final OpenAiErrors errors;
  private final Map<Integer, Integer> toolCallByBlock = new HashMap<>();
  private final Set<Integer> textBlocks = new HashSet<>();
  private boolean ended;

  public OpenAiStreamEncoder(ResponseContext ctx, boolean includeUsage, OpenAiErrors errors) {
    this.ctx = ctx;
    this.includeUsage = includeUsage;
    this.errors = errors;
  }

  @Override
  public Buffer encode(StreamEvent event) {
    if (ended) {
      return EMPTY;
    }
    if (event instanceof StreamEvent.ResponseStart) {
      return chunk(new JsonObject().put("role", "assistant").put("content", ""), null);
    }
    if (event instanceof StreamEvent.BlockStart start) {
      return blockStart(start);
    }
    if (event instanceof StreamEvent.BlockDelta delta) {
      return blockDelta(delta);
    }
    if (event instanceof StreamEvent.ResponseEnd end) {
      return responseEnd(end);
    }
    if (event instanceof StreamEvent.Error error) {
      ended = true;
      return Sse.data(errors.encode(error.error()).encode());
    }
    return EMPTY;
  }

  private Buffer blockStart(StreamEvent.BlockStart start) {
    if (start.kind() == BlockKind.TEXT) {
      textBlocks.add(start.index());
    }
    if (start.kind() != BlockKind.TOOL_USE) {
      return EMPTY;
    }
    int call = toolCallByBlock.size();
    toolCallByBlock.put(start.index(), call);
    JsonObject toolCall = new JsonObject().put("index", call).put("id", start.toolUseId()).put("type", "function")
        .put("function", new JsonObject().put("name", start.toolName()).put("arguments", ""));
    return chunk(new JsonObject().put("tool_calls", new JsonArray().add(toolCall)), null);
  }

  private Buffer blockDelta(StreamEvent.BlockDelta delta) {
    Integer call = toolCallByBlock.get(delta.index());
    if (call != null && delta.partialJson() != null && !delta.partialJson().isEmpty()) {
      JsonObject toolCall = new JsonObject().put("index", call)
          .put("function", new JsonObject().put("arguments", delta.partialJson()));
      return chunk(new JsonObject().put("tool_calls", new JsonArray().add(toolCall)), null);
    }
    if (delta.text() != null && !delta.text().isEmpty() && textBlocks.contains(delta.index())) {
      return chunk(new JsonObject().put("content", delta.text()), null);
    }
    return EMPTY;
  }

  private Buffer responseEnd(StreamEvent.ResponseEnd end) {
    ended = true;
    Buffer out = Buffer.buffer();
    out.appendBuffer(chunk(new JsonObject(), FinishReasons.encode(end.stopReason())));
    if (includeUsage) {
      out.appendBuffer(Sse.data(envelope(new JsonArray()).put("usage", OpenAiUsage.encode(end.usage())).encode()));
    }
    return out.appendBuffer(Sse.data("[DONE]"));
  }

  private Buffer chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).put("logprobs", null)
        .put("finish_reason", finishReason);
    JsonObject chunk = envelope(new JsonArray().add(choice));
    if (includeUsage) {
      chunk.put("usage", null);
    }
    return Sse.data(chunk.encode());
  }

  private JsonObject envelope(JsonArray choices) {
    return new JsonObject()
        .put("id", "chatcmpl-" + ctx.requestId())
        .put("object", "chat.completion.chunk")
        .put("created", ctx.createdEpochSeconds())
        .put("model", ctx.model())
        .put("choices", choices);
  }
}
