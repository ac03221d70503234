package dev.ensemble.wire.anthropic;

import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.SseParser;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes an upstream Anthropic Messages event stream into unified events.
 *
 * <p>Usage from {@code message_start} is merged with each {@code message_delta}'s (which reports the final
 * output count and, in newer API versions, cumulative input and cache counts); {@code message_stop} ends the
 * answer with that merged usage. Content blocks the unified model cannot carry in a stream
 * ({@code redacted_thinking}, server tool blocks) are skipped, and the remaining blocks are numbered 0, 1, 2...
 * whatever Anthropic's indices. {@code event: error} becomes a terminal {@link StreamEvent.Error}.
 * Malformed JSON or an event out of order throws {@link UpstreamProtocolException}.
 *
 * <p>Every usual event is read straight from the SSE bytes, in one pass, without a tree: {@code content_block_delta},
 * nearly every event of a stream, by the {@link DeltaScanner}; {@code content_block_stop}, {@code ping} and
 * {@code message_stop} by the {@link BareEventScanner}; {@code message_start}, a block's start and {@code message_delta}
 * by the {@link MessageStartScanner}, {@link BlockStartScanner} and {@link MessageDeltaScanner}. An event without an SSE
 * name, or one that does not have the usual shape, is read as a tree, which decides as it always did and words the
 * errors.
 *
 * <p>Pass-through ({@link #relayTo}): each event that decoded is also staged as it came in the client's
 * {@link EventSplice}, message_start with the gateway's id and model (where the {@link MessageStartScanner} found them);
 * the events of one read are committed only when the whole read decoded.
 */
public final class AnthropicStreamDecoder implements StreamDecoder, AnthropicEventSource {

  private final JsonFields fields = JsonFields.UPSTREAM;
  private final SseParser parser = new SseParser();
  private final Map<Integer, Integer> indices = new HashMap<>();
  private final Set<Integer> skipped = new HashSet<>();
  private int nextIndex;
  private boolean started;
  private boolean completed;
  private Usage usage = Usage.UNKNOWN;
  private StopReason stopReason;
  private String stopSequence;

  private final SseParser.Events onEvent = this::handle;
  private final Delta delta = new Delta();
  /** Null when every event is to be read as a tree (tests compare the two readings). */
  private final DeltaScanner scanner;
  /** Reads {@code content_block_stop}, {@code ping} and {@code message_stop} without a tree; null with {@link #scanner}. */
  private final BareEventScanner bare;
  /** Read a block's start and {@code message_delta} without a tree; null with {@link #scanner}. */
  private final BlockStartScanner blockStarts;
  private final MessageDeltaScanner messageDeltas;
  /** Set when the client speaks Anthropic too: the stream's events are passed through to it ({@link EventSplice}). */
  private EventSplice relay;
  /** Reads {@code message_start} without a tree (and finds where the pass-through splices); null when neither is asked. */
  private MessageStartScanner startScanner;
  private List<StreamEvent> out;

  public AnthropicStreamDecoder() {
    this(true);
  }

  /** @param scan whether usual deltas are read by the {@link DeltaScanner}; false: every event is read as a tree */
  AnthropicStreamDecoder(boolean scan) {
    this.scanner = scan ? new DeltaScanner() : null;
    this.bare = scan ? new BareEventScanner() : null;
    this.blockStarts = scan ? new BlockStartScanner() : null;
    this.messageDeltas = scan ? new MessageDeltaScanner() : null;
    this.startScanner = scan ? new MessageStartScanner() : null;
  }

  @Override
  public void relayTo(EventSplice relay) {
    this.relay = relay;
    if (startScanner == null) {
      startScanner = new MessageStartScanner();
    }
    relay.attach();
  }

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    out = new ArrayList<>();
    if (relay != null) {
      relay.begin(chunk.length());
    }
    parser.feed(chunk, onEvent);
    if (relay != null) {
      relay.commit();
    }
    return out;
  }

  @Override
  public List<StreamEvent> finish() {
    out = new ArrayList<>();
    if (relay != null) {
      relay.begin(0);
    }
    parser.finish(onEvent);
    if (relay != null) {
      relay.commit();
    }
    return out;
  }

  @Override
  public boolean completed() {
    return completed;
  }

  @Override
  public Usage reported() {
    return usage;
  }

  private void handle(String name, byte[] data, int offset, int length) {
    if (completed) {
      return;
    }
    if ((name == null || "content_block_delta".equals(name)) && textDelta(data, offset, length)) {
      if (relay != null) {
        relay.frame(name, data, offset, length);
      }
      return;
    }
    if (name != null && bare != null && scannedEvent(name, data, offset, length)) {
      return;
    }
    JsonObject tree = parse(new String(data, offset, length, StandardCharsets.UTF_8));
    String type = handle(name, tree, out);
    if (relay != null) {
      relay(type, name, data, offset, length, tree);
    }
  }

  /**
   * Pass-through of an event read as a tree: {@code message_start} with the gateway's id and model spliced in (rendered
   * from the tree when the scanner cannot place them), an {@code error} not at all (the gateway renders its own),
   * every other event as it came.
   */
  private void relay(String type, String name, byte[] data, int offset, int length, JsonObject tree) {
    switch (type) {
      case "message_start" -> {
        MessageStartScanner s = startScanner;
        if (s.read(data, offset, length)) {
          relay.messageStart(name, data, offset, length, s.idStart, s.idEnd, s.modelStart, s.modelEnd);
        } else {
          relay.messageStart(name, tree);
        }
      }
      case "error" -> { }
      default -> relay.frame(name, data, offset, length);
    }
  }

  /**
   * A {@code content_block_delta} read by the {@link DeltaScanner}; false when the event is another one, or a delta the
   * scanner leaves to the tree path (which then reads it, and words any error).
   */
  private boolean textDelta(byte[] data, int offset, int length) {
    Delta d = delta;
    d.clear();
    if (scanner == null || !scanner.read(data, offset, length, d)) {
      return false;
    }
    if (skipped.contains(d.index)) {
      return true;
    }
    int index = unifiedIndex(d.index, "content_block_delta");
    switch (d.type) {
      case "text_delta", "thinking_delta" -> out.add(StreamEvent.BlockDelta.text(index, d.value));
      case "input_json_delta" -> {
        if (!d.value.isEmpty()) {
          out.add(StreamEvent.BlockDelta.partialJson(index, d.value));
        }
      }
      default -> out.add(StreamEvent.BlockDelta.signature(index, d.value));
    }
    return true;
  }

  /**
   * An event other than a delta read without a tree — {@code content_block_stop}, {@code ping} and {@code message_stop} by
   * the {@link BareEventScanner}, {@code message_start}, a block's start and {@code message_delta} by their scanners —
   * decoded and passed through; false when the event is another one, or one its scanner leaves to the tree path.
   */
  private boolean scannedEvent(String name, byte[] data, int offset, int length) {
    BareEventScanner s = bare;
    switch (name) {
      case "content_block_stop" -> {
        if (!s.read(data, offset, length, BareEventScanner.CONTENT_BLOCK_STOP) || s.index < 0) {
          return false;
        }
        blockStop(s.index, out);
      }
      case "ping" -> {
        if (!s.read(data, offset, length, BareEventScanner.PING)) {
          return false;
        }
      }
      case "message_stop" -> {
        if (!s.read(data, offset, length, BareEventScanner.MESSAGE_STOP)) {
          return false;
        }
        messageStop(out);
      }
      case "message_start" -> {
        MessageStartScanner start = startScanner;
        if (!start.read(data, offset, length)) {
          return false;
        }
        messageStart(start.id, start.model, start.usage, out);
        if (relay != null) {
          relay.messageStart(name, data, offset, length, start.idStart, start.idEnd, start.modelStart, start.modelEnd);
        }
        return true;
      }
      case "content_block_start" -> {
        BlockStartScanner block = blockStarts;
        if (!block.read(data, offset, length)) {
          return false;
        }
        requireStarted("content_block_start");
        int index = openBlock(block.index, block.type);
        if (index >= 0) {
          switch (block.type) {
            case "text" -> textStart(index, block.text, out);
            case "tool_use" -> toolStart(index, block.id, block.name, null, out);
            default -> thinkingStart(index, block.thinking, block.signature, out);
          }
        }
      }
      case "message_delta" -> {
        MessageDeltaScanner delta = messageDeltas;
        if (!delta.read(data, offset, length)) {
          return false;
        }
        requireStarted("message_delta");
        messageDelta(delta.stopReason, delta.stopSequence, delta.usage);
      }
      default -> {
        return false;
      }
    }
    if (relay != null) {
      relay.frame(name, data, offset, length);
    }
    return true;
  }

  /** The fields of one {@code content_block_delta}; one instance, cleared per event. */
  static final class Delta {
    boolean typed;
    int index;
    String type;
    String value;

    void clear() {
      typed = false;
      index = -1;
      type = null;
      value = null;
    }
  }

  /** Decodes one event read as a tree; returns its type. */
  private String handle(String name, JsonObject data, List<StreamEvent> out) {
    String type = name != null ? name : fields.optString(data, "type", "");
    if (type == null) {
      throw new UpstreamProtocolException("stream event without a type");
    }
    switch (type) {
      case "message_start" -> messageStart(data, out);
      case "content_block_start" -> blockStart(data, out);
      case "content_block_delta" -> blockDelta(data, out);
      case "content_block_stop" -> blockStop(data, out);
      case "message_delta" -> messageDelta(data);
      case "message_stop" -> messageStop(out);
      case "error" -> {
        JsonObject error = fields.optObject(data, "error", "");
        String errorType = error == null ? null : fields.optString(error, "type", "error");
        String message = error == null ? null : fields.optString(error, "message", "error");
        out.add(new StreamEvent.Error(AnthropicErrors.streamError(errorType, message)));
        completed = true;
      }
      default -> { }
    }
    return type;
  }

  private void messageStart(JsonObject data, List<StreamEvent> out) {
    notStartedYet();
    JsonObject message = fields.requireObject(data, "message", "");
    usage = UsageFields.read(fields.optObject(message, "usage", "message"), "message.usage");
    started = true;
    out.add(new StreamEvent.ResponseStart(fields.optString(message, "id", "message"),
        fields.optString(message, "model", "message"), null, null, usage));
  }

  /** A {@code message_start} read by its scanner: the same as {@link #messageStart(JsonObject, List)}, values read already. */
  private void messageStart(String id, String model, Usage reported, List<StreamEvent> out) {
    notStartedYet();
    usage = reported;
    started = true;
    out.add(new StreamEvent.ResponseStart(id, model, null, null, usage));
  }

  private void notStartedYet() {
    if (started) {
      throw new UpstreamProtocolException("message_start: sent twice");
    }
  }

  private void blockStart(JsonObject data, List<StreamEvent> out) {
    requireStarted("content_block_start");
    int upstream = upstreamIndex(data);
    JsonObject block = fields.requireObject(data, "content_block", "");
    String type = fields.requireString(block, "type", "content_block");
    int index = openBlock(upstream, type);
    if (index < 0) {
      return;
    }
    switch (type) {
      case "text" -> textStart(index, fields.optString(block, "text", "content_block"), out);
      case "tool_use" -> {
        String id = fields.requireString(block, "id", "content_block");
        String name = fields.requireString(block, "name", "content_block");
        JsonObject input = fields.optObject(block, "input", "content_block");
        toolStart(index, id, name, input != null && !input.isEmpty() ? input.encode() : null, out);
      }
      default -> {
        String thinking = fields.optString(block, "thinking", "content_block");
        thinkingStart(index, thinking, fields.optString(block, "signature", "content_block"), out);
      }
    }
  }

  /** Block {@code upstream} of {@code type} starts: its unified index, or -1 when the unified model has no place for it (skipped). */
  private int openBlock(int upstream, String type) {
    if (indices.containsKey(upstream) || skipped.contains(upstream)) {
      throw new UpstreamProtocolException("content_block_start: index " + upstream + " started twice");
    }
    if (!BlockReader.ASSISTANT_TYPES.contains(type) || "redacted_thinking".equals(type)) {
      skipped.add(upstream);
      return -1;
    }
    int index = nextIndex++;
    indices.put(upstream, index);
    return index;
  }

  private static void textStart(int index, String text, List<StreamEvent> out) {
    out.add(StreamEvent.BlockStart.text(index));
    if (text != null && !text.isEmpty()) {
      out.add(StreamEvent.BlockDelta.text(index, text));
    }
  }

  /** @param input the call's input as JSON when the start carries some, else null */
  private static void toolStart(int index, String id, String name, String input, List<StreamEvent> out) {
    out.add(StreamEvent.BlockStart.toolUse(index, id, name));
    if (input != null) {
      out.add(StreamEvent.BlockDelta.partialJson(index, input));
    }
  }

  private static void thinkingStart(int index, String thinking, String signature, List<StreamEvent> out) {
    out.add(StreamEvent.BlockStart.thinking(index));
    if (thinking != null && !thinking.isEmpty()) {
      out.add(StreamEvent.BlockDelta.text(index, thinking));
    }
    if (signature != null && !signature.isEmpty()) {
      out.add(StreamEvent.BlockDelta.signature(index, signature));
    }
  }

  private void blockDelta(JsonObject data, List<StreamEvent> out) {
    int upstream = upstreamIndex(data);
    if (skipped.contains(upstream)) {
      return;
    }
    int index = unifiedIndex(upstream, "content_block_delta");
    JsonObject delta = fields.requireObject(data, "delta", "");
    String type = fields.requireString(delta, "type", "delta");
    switch (type) {
      case "text_delta" -> out.add(StreamEvent.BlockDelta.text(index, fields.requireString(delta, "text", "delta")));
      case "input_json_delta" -> {
        String partial = fields.requireString(delta, "partial_json", "delta");
        if (!partial.isEmpty()) {
          out.add(StreamEvent.BlockDelta.partialJson(index, partial));
        }
      }
      case "thinking_delta" -> out.add(StreamEvent.BlockDelta.text(index, fields.requireString(delta, "thinking", "delta")));
      case "signature_delta" -> out.add(StreamEvent.BlockDelta.signature(index, fields.requireString(delta, "signature", "delta")));
      default -> { }
    }
  }

  private void blockStop(JsonObject data, List<StreamEvent> out) {
    blockStop(upstreamIndex(data), out);
  }

  private void blockStop(int upstream, List<StreamEvent> out) {
    if (!skipped.contains(upstream)) {
      out.add(new StreamEvent.BlockStop(unifiedIndex(upstream, "content_block_stop")));
    }
  }

  private void messageStop(List<StreamEvent> out) {
    requireStarted("message_stop");
    out.add(new StreamEvent.ResponseEnd(stopReason, stopSequence, usage, null));
    completed = true;
  }

  private void messageDelta(JsonObject data) {
    requireStarted("message_delta");
    JsonObject delta = fields.optObject(data, "delta", "");
    String reason = null;
    String sequence = null;
    if (delta != null) {
      reason = fields.optString(delta, "stop_reason", "delta");
      sequence = fields.optString(delta, "stop_sequence", "delta");
    }
    messageDelta(reason, sequence, UsageFields.read(fields.optObject(data, "usage", ""), "usage"));
  }

  /** The message's stop reason and sequence (null: not reported here) and its cumulative usage so far. */
  private void messageDelta(String reason, String sequence, Usage reported) {
    if (reason != null) {
      stopReason = StopReasons.read(reason);
    }
    if (sequence != null) {
      stopSequence = sequence;
    }
    usage = usage.mergedWith(reported);
  }

  private int upstreamIndex(JsonObject data) {
    Integer index = fields.optInt(data, "index", "");
    if (index == null) {
      throw new UpstreamProtocolException("index: missing from a content block event");
    }
    return index;
  }

  private int unifiedIndex(int upstream, String event) {
    Integer index = indices.get(upstream);
    if (index == null) {
      throw new UpstreamProtocolException(event + ": block " + upstream + " was never started");
    }
    return index;
  }

  private void requireStarted(String event) {
    if (!started) {
      throw new UpstreamProtocolException(event + ": before message_start");
    }
  }

  private static JsonObject parse(String data) {
    try {
      return new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      throw new UpstreamProtocolException("malformed JSON in stream event", e);
    }
  }
}
