package dev.ensemble.wire.openai;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.wire.JsonStreams;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.Sse;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
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
 *
 * <p>Every chunk of one response shares its envelope ({@code id}, {@code created}, {@code model}) and the fields
 * after the delta: they are rendered once, as bytes, for the first content chunk, and each content or tool-argument
 * chunk is those bytes around the delta, whose only variable part, the text, is escaped straight into the buffer.
 * No JSON tree is built per chunk; the rare chunks (tool-call start, usage, error) still use one.
 */
public final class OpenAiStreamEncoder implements StreamEncoder {

  private static final Buffer EMPTY = Buffer.buffer(new byte[0]);
  private static final byte[] CONTENT = bytes("{\"content\":\"");
  private static final byte[] TOOL_ARGUMENTS_START = bytes("{\"tool_calls\":[{\"index\":");
  private static final byte[] TOOL_ARGUMENTS_MIDDLE = bytes(",\"function\":{\"arguments\":\"");
  private static final byte[] TOOL_ARGUMENTS_END = bytes("\"}}]}");
  private static final byte[] QUOTE_CLOSE = bytes("\"}");
  private static final byte[] DONE = bytes("data: [DONE]\n\n");

  private final ResponseContext ctx;
  private final boolean includeUsage;
  private final OpenAiErrors errors;
  private final Map<Integer, Integer> toolCallByBlock = new HashMap<>();
  private final Set<Integer> textBlocks = new HashSet<>();
  /**
   * {@code data: {"id":...,"object":...,"created":...,"model":...,"choices":[{"index":0,"delta":}; made with {@link #tail}
   * when the first event is rendered (a passed-through stream never needs them), null until then.
   */
  private byte[] head;
  /** {@code ,"logprobs":null,"finish_reason":null}],"usage":null}\n\n} (no usage field unless asked for) */
  private byte[] tail;
  private boolean ended;
  /** Set when the upstream speaks OpenAI too: its frames are passed through instead of rendering the events. */
  private ChunkSplice relay;

  public OpenAiStreamEncoder(ResponseContext ctx, boolean includeUsage, OpenAiErrors errors) {
    this.ctx = ctx;
    this.includeUsage = includeUsage;
    this.errors = errors;
  }

  /**
   * Pass-through when the upstream is an OpenAI stream: its decoder stages each frame, spliced ({@link ChunkSplice}),
   * and this encoder sends those bytes in place of rendering the events; only the gateway's own events (an error,
   * the {@code [DONE]} of a stream that closed without one) are rendered.
   */
  @Override
  public boolean relayFrom(StreamDecoder upstream) {
    if (!(upstream instanceof OpenAiStreamDecoder decoder)) {
      return false;
    }
    relay = new ChunkSplice(json("chatcmpl-" + ctx.requestId()), json(ctx.model()), bytes(Long.toString(ctx.createdEpochSeconds())),
        includeUsage);
    decoder.relayTo(relay);
    return true;
  }

  @Override
  public Buffer pending() {
    Buffer relayed = relay == null ? null : relay.take();
    return relayed == null ? EMPTY : relayed;
  }

  @Override
  public Buffer encode(StreamEvent event) {
    if (ended) {
      return EMPTY;
    }
    if (relay != null) {
      return relayed(event);
    }
    if (event instanceof StreamEvent.ResponseStart) {
      return chunk(new JsonObject().put("role", "assistant").put("content", "").putNull("refusal"), null);
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

  private Buffer relayed(StreamEvent event) {
    Buffer out = relay.take();
    if (event instanceof StreamEvent.Error error) {
      ended = true;
      Buffer rendered = Sse.data(errors.encode(error.error()).encode());
      return out == null ? rendered : out.appendBuffer(rendered);
    }
    if (event instanceof StreamEvent.ResponseEnd) {
      ended = true;
      if (!relay.doneSent()) {
        out = out == null ? Buffer.buffer(DONE) : out.appendBytes(DONE);
      }
    }
    return out == null ? EMPTY : out;
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

  /** Makes {@link #head} and {@link #tail}, the bytes every rendered content chunk of this response shares. */
  private void template() {
    head = Buffer.buffer(160).appendString("data: {\"id\":").appendBytes(json("chatcmpl-" + ctx.requestId()))
        .appendString(",\"object\":\"chat.completion.chunk\",\"created\":" + ctx.createdEpochSeconds() + ",\"model\":")
        .appendBytes(json(ctx.model())).appendString(",\"choices\":[{\"index\":0,\"delta\":").getBytes();
    tail = bytes(",\"logprobs\":null,\"finish_reason\":null}]" + (includeUsage ? ",\"usage\":null" : "") + "}\n\n");
  }

  private Buffer blockDelta(StreamEvent.BlockDelta delta) {
    if (head == null) {
      template();
    }
    Integer call = toolCallByBlock.get(delta.index());
    if (call != null && delta.partialJson() != null && !delta.partialJson().isEmpty()) {
      byte[] arguments = JsonStreams.quoted(delta.partialJson());
      return Buffer.buffer(head.length + arguments.length + 64 + tail.length).appendBytes(head).appendBytes(TOOL_ARGUMENTS_START)
          .appendString(Integer.toString(call)).appendBytes(TOOL_ARGUMENTS_MIDDLE).appendBytes(arguments)
          .appendBytes(TOOL_ARGUMENTS_END).appendBytes(tail);
    }
    if (delta.text() != null && !delta.text().isEmpty() && textBlocks.contains(delta.index())) {
      byte[] text = JsonStreams.quoted(delta.text());
      return Buffer.buffer(head.length + CONTENT.length + text.length + QUOTE_CLOSE.length + tail.length)
          .appendBytes(head).appendBytes(CONTENT).appendBytes(text).appendBytes(QUOTE_CLOSE).appendBytes(tail);
    }
    return EMPTY;
  }

  private Buffer responseEnd(StreamEvent.ResponseEnd end) {
    ended = true;
    Buffer out = Buffer.buffer(512);
    out.appendBuffer(chunk(new JsonObject(), FinishReasons.encode(end.stopReason())));
    if (includeUsage) {
      out.appendBuffer(Sse.data(envelope(new JsonArray()).put("usage", OpenAiUsage.encode(end.usage())).encode()));
    }
    return out.appendBytes(DONE);
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

  /** {@code text} as a JSON string (quoted, escaped); null as {@code null}. */
  private static byte[] json(String text) {
    return text == null ? bytes("null") : Buffer.buffer(text.length() + 2).appendByte((byte) '"').appendBytes(JsonStreams.quoted(text))
        .appendByte((byte) '"').getBytes();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
