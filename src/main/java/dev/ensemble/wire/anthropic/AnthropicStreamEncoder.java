package dev.ensemble.wire.anthropic;

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
import java.util.Map;

/**
 * Renders unified events as the event stream Anthropic itself sends: {@code message_start} and a
 * {@code ping}, then {@code content_block_start/delta/stop} per block, then {@code message_delta} with the
 * stop reason and cumulative usage, and {@code message_stop}; or {@code event: error} as the last event.
 * Blocks a Messages stream cannot hold (images, documents, tool results) are left out and the remaining
 * blocks keep contiguous indices. One encoder per response.
 *
 * <p>Text, thinking and tool-argument deltas, nearly every event, and each block's stop are written as fixed bytes
 * around the block index and the escaped text, without a JSON tree; the other events (a few per answer: the message's
 * start and end, a block's start, a signature) are built as trees.
 */
public final class AnthropicStreamEncoder implements StreamEncoder {

  private static final byte[] DELTA_HEAD = bytes("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":");
  private static final byte[] TEXT_DELTA = bytes(",\"delta\":{\"type\":\"text_delta\",\"text\":\"");
  private static final byte[] THINKING_DELTA = bytes(",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"");
  private static final byte[] PARTIAL_DELTA = bytes(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"");
  private static final byte[] DELTA_TAIL = bytes("\"}}\n\n");
  private static final byte[] STOP_HEAD = bytes("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":");
  private static final byte[] STOP_TAIL = bytes("}\n\n");

  private final ResponseContext context;
  private final AnthropicErrors errors;
  private final Map<Integer, Integer> indices = new HashMap<>();
  private final Map<Integer, BlockKind> kinds = new HashMap<>();
  private int nextIndex;
  /** Set when the upstream speaks Anthropic too: its events are passed through instead of rendering the events. */
  private EventSplice relay;

  public AnthropicStreamEncoder(ResponseContext context) {
    this(context, new AnthropicErrors());
  }

  AnthropicStreamEncoder(ResponseContext context, AnthropicErrors errors) {
    this.context = context;
    this.errors = errors;
  }

  /**
   * Pass-through when the upstream's stream is Anthropic's (Anthropic, Claude on Bedrock or Vertex): its decoder stages
   * each event, spliced ({@link EventSplice}), and this encoder sends those bytes in place of rendering the events;
   * only the gateway's own events (an error) are rendered.
   */
  @Override
  public boolean relayFrom(StreamDecoder upstream) {
    if (!(upstream instanceof AnthropicEventSource source)) {
      return false;
    }
    relay = new EventSplice("msg_" + context.requestId(), context.model());
    source.relayTo(relay);
    return true;
  }

  @Override
  public Buffer pending() {
    Buffer relayed = relay == null ? null : relay.take();
    return relayed == null ? Buffer.buffer() : relayed;
  }

  @Override
  public Buffer encode(StreamEvent event) {
    if (relay != null && relay.attached()) {
      return relayed(event);
    }
    if (event instanceof StreamEvent.ResponseStart start) {
      return responseStart(start);
    }
    if (event instanceof StreamEvent.BlockStart start) {
      return blockStart(start);
    }
    if (event instanceof StreamEvent.BlockDelta delta) {
      return blockDelta(delta);
    }
    if (event instanceof StreamEvent.BlockStop stop) {
      Integer index = indices.get(stop.index());
      return index == null ? Buffer.buffer() : Buffer.buffer(STOP_HEAD.length + 8 + STOP_TAIL.length).appendBytes(STOP_HEAD)
          .appendString(Integer.toString(index)).appendBytes(STOP_TAIL);
    }
    if (event instanceof StreamEvent.ResponseEnd end) {
      return responseEnd(end);
    }
    StreamEvent.Error error = (StreamEvent.Error) event;
    return event("error", errors.encode(error.error()));
  }

  /** The upstream's events staged so far, and the gateway's error after them when the event is one. */
  private Buffer relayed(StreamEvent event) {
    Buffer out = relay.take();
    if (event instanceof StreamEvent.Error error) {
      Buffer rendered = event("error", errors.encode(error.error()));
      return out == null ? rendered : out.appendBuffer(rendered);
    }
    return out == null ? Buffer.buffer() : out;
  }

  private Buffer responseStart(StreamEvent.ResponseStart start) {
    JsonObject message = new JsonObject()
        .put("id", "msg_" + context.requestId())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", context.model())
        .put("content", new JsonArray())
        .put("stop_reason", null)
        .put("stop_sequence", null)
        .put("usage", UsageFields.full(start.usage()));
    return event("message_start", new JsonObject().put("type", "message_start").put("message", message))
        .appendBuffer(event("ping", new JsonObject().put("type", "ping")));
  }

  private Buffer blockStart(StreamEvent.BlockStart start) {
    JsonObject block;
    switch (start.kind()) {
      case TEXT -> block = new JsonObject().put("type", "text").put("text", "");
      case TOOL_USE -> block = new JsonObject().put("type", "tool_use").put("id", start.toolUseId())
          .put("name", start.toolName()).put("input", new JsonObject());
      case THINKING -> block = new JsonObject().put("type", "thinking").put("thinking", "").put("signature", "");
      default -> {
        return Buffer.buffer();
      }
    }
    int index = nextIndex++;
    indices.put(start.index(), index);
    kinds.put(start.index(), start.kind());
    return event("content_block_start", new JsonObject().put("type", "content_block_start").put("index", index)
        .put("content_block", block));
  }

  private Buffer blockDelta(StreamEvent.BlockDelta delta) {
    Integer index = indices.get(delta.index());
    if (index == null) {
      return Buffer.buffer();
    }
    if (delta.partialJson() != null) {
      return delta(index, PARTIAL_DELTA, delta.partialJson());
    }
    if (delta.text() != null && delta.signature() == null) {
      return delta(index, kinds.get(delta.index()) == BlockKind.THINKING ? THINKING_DELTA : TEXT_DELTA, delta.text());
    }
    JsonObject body;
    if (delta.signature() != null) {
      body = new JsonObject().put("type", "signature_delta").put("signature", delta.signature());
    } else if (kinds.get(delta.index()) == BlockKind.THINKING) {
      body = new JsonObject().put("type", "thinking_delta").put("thinking", delta.text());
    } else {
      body = new JsonObject().put("type", "text_delta").put("text", delta.text());
    }
    return event("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
        .put("delta", body));
  }

  /** {@code content_block_delta} of one string field, as bytes: the fixed parts around the index and the escaped value. */
  private static Buffer delta(int index, byte[] kind, String value) {
    byte[] escaped = JsonStreams.quoted(value);
    return Buffer.buffer(DELTA_HEAD.length + 8 + kind.length + escaped.length + DELTA_TAIL.length).appendBytes(DELTA_HEAD)
        .appendString(Integer.toString(index)).appendBytes(kind).appendBytes(escaped).appendBytes(DELTA_TAIL);
  }

  private Buffer responseEnd(StreamEvent.ResponseEnd end) {
    JsonObject delta = new JsonObject()
        .put("type", "message_delta")
        .put("delta", new JsonObject()
            .put("stop_reason", StopReasons.write(end.stopReason()))
            .put("stop_sequence", end.stopSequence()))
        .put("usage", UsageFields.known(end.usage()));
    return event("message_delta", delta)
        .appendBuffer(event("message_stop", new JsonObject().put("type", "message_stop")));
  }

  private static Buffer event(String name, JsonObject data) {
    return Sse.event(name, data.encode());
  }

  /** {@code text} as a JSON string (quoted, escaped); null as {@code null}. */
  static byte[] quoted(String text) {
    if (text == null) {
      return bytes("null");
    }
    byte[] escaped = JsonStreams.quoted(text);
    byte[] out = new byte[escaped.length + 2];
    out[0] = '"';
    System.arraycopy(escaped, 0, out, 1, escaped.length);
    out[out.length - 1] = '"';
    return out;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
