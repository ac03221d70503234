package dev.ensemble.wire.anthropic;

import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.wire.FrameStage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Pass-through of an Anthropic-format upstream's event stream (Anthropic, Claude on Bedrock or Vertex) to an Anthropic
 * Messages client: each upstream event as it came, {@code event:} name and {@code data:} bytes, except the two values
 * the gateway owns, spliced in place in {@code message_start} — the message's {@code id} (the gateway's {@code
 * msg_<request id>}) and its {@code model} (the name the client asked for). Pings, block indices, deltas, the upstream's
 * usage in {@code message_delta} and events the gateway does not know reach the client as sent. The upstream's {@code
 * error} event is not passed: the gateway renders its own error, as for any other failure.
 *
 * <p>The {@link AnthropicStreamDecoder} stages the events of one upstream read and commits them only once the read
 * decoded without error, so nothing reaches the client that the response journal does not hold; the
 * {@link AnthropicStreamEncoder} hands the committed bytes to the client in place of rendering the events. Only once
 * a decoder took it ({@link #attached()}) is the stream passed through: a Vertex stream that turns out to be Gemini's
 * never takes it, and is rendered. Confined to the stream's event loop, like both.
 */
public final class EventSplice {

  private static final byte[] EVENT = ascii("event: ");
  private static final byte[] DATA = ascii("\ndata: ");
  private static final byte[] DATA_ONLY = ascii("data: ");
  private static final byte[] END = ascii("\n\n");
  private static final byte[] CONTENT_BLOCK_DELTA = ascii("content_block_delta");
  private static final byte[] MESSAGE_START = ascii("message_start");
  private static final byte[] CONTENT_BLOCK_START = ascii("content_block_start");
  private static final byte[] CONTENT_BLOCK_STOP = ascii("content_block_stop");
  private static final byte[] MESSAGE_DELTA = ascii("message_delta");
  private static final byte[] MESSAGE_STOP = ascii("message_stop");
  private static final byte[] PING = ascii("ping");

  private final String idText;
  private final String modelText;
  private final byte[] id;
  private final byte[] model;
  private boolean attached;
  /** The events of the current read, and those committed but not taken yet. */
  private final FrameStage stage = new FrameStage();

  /**
   * @param id    the gateway's message id ({@code msg_<request id>})
   * @param model the model name the client asked for
   */
  EventSplice(String id, String model) {
    this.idText = id;
    this.modelText = model;
    this.id = AnthropicStreamEncoder.quoted(id);
    this.model = AnthropicStreamEncoder.quoted(model);
  }

  /** A decoder of an Anthropic stream took this splice: its frames are what the client gets. */
  void attach() {
    attached = true;
  }

  boolean attached() {
    return attached;
  }

  /** A read of {@code bytes} begins: what it stages is about that long. */
  void begin(int bytes) {
    stage.begin(bytes);
  }

  /** Stages one upstream event as it came: {@code event: name} (when it had one), its data. */
  void frame(String name, byte[] data, int offset, int length) {
    head(name, length);
    stage.put(data, offset, length);
    stage.put(END);
  }

  /**
   * Stages a {@code message_start} with the message's id and model, at {@code [idStart, idEnd)} and {@code [modelStart,
   * modelEnd)} of {@code data}, replaced by the gateway's.
   */
  void messageStart(String name, byte[] data, int offset, int length, int idStart, int idEnd, int modelStart, int modelEnd) {
    int limit = offset + length;
    boolean idFirst = idStart < modelStart;
    int firstStart = idFirst ? idStart : modelStart;
    int firstEnd = idFirst ? idEnd : modelEnd;
    int secondStart = idFirst ? modelStart : idStart;
    int secondEnd = idFirst ? modelEnd : idEnd;
    if (firstStart < offset || firstEnd <= firstStart || secondStart < firstEnd || secondEnd <= secondStart || secondEnd > limit) {
      throw new UpstreamProtocolException("Anthropic message_start could not be passed through");
    }
    head(name, length + id.length + model.length);
    stage.put(data, offset, firstStart - offset);
    stage.put(idFirst ? id : model);
    stage.put(data, firstEnd, secondStart - firstEnd);
    stage.put(idFirst ? model : id);
    stage.put(data, secondEnd, limit - secondEnd);
    stage.put(END);
  }

  /**
   * Stages a {@code message_start} the scanner could not place the id and model in (an escaped field name, a field
   * twice, a value not a string): its tree, read by the decoder, with the gateway's id and model put in, encoded again.
   */
  void messageStart(String name, JsonObject data) {
    JsonObject event = data.copy();
    JsonObject message = event.getJsonObject("message");
    message.put("id", idText).put("model", modelText);
    byte[] bytes = event.encode().getBytes(StandardCharsets.UTF_8);
    head(name, bytes.length);
    stage.put(bytes);
    stage.put(END);
  }

  /** The read that staged the events decoded cleanly: they may go to the client. */
  void commit() {
    stage.commit();
  }

  /** The committed bytes not yet sent (taken: the caller owns them), or null when none. */
  Buffer take() {
    return stage.take();
  }

  /** Room for an event of {@code length} data bytes, and its {@code event:} and {@code data:} lines' heads staged. */
  private void head(String name, int length) {
    byte[] event = name == null ? null : name(name);
    stage.room((event == null ? DATA_ONLY.length : EVENT.length + event.length + DATA.length) + length + END.length);
    if (event == null) {
      stage.put(DATA_ONLY);
    } else {
      stage.put(EVENT);
      stage.put(event);
      stage.put(DATA);
    }
  }

  /** The event's name as bytes: those Anthropic sends without encoding them (nearly every event is a delta). */
  private static byte[] name(String name) {
    return switch (name) {
      case "content_block_delta" -> CONTENT_BLOCK_DELTA;
      case "message_start" -> MESSAGE_START;
      case "content_block_start" -> CONTENT_BLOCK_START;
      case "content_block_stop" -> CONTENT_BLOCK_STOP;
      case "message_delta" -> MESSAGE_DELTA;
      case "message_stop" -> MESSAGE_STOP;
      case "ping" -> PING;
      default -> ascii(name);
    };
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
