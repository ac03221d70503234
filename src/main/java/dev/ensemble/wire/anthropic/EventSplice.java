package dev.ensemble.wire.anthropic;

import dev.ensemble.model.UpstreamProtocolException;
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

  private final String idText;
  private final String modelText;
  private final byte[] id;
  private final byte[] model;
  private boolean attached;
  private Buffer staged;
  private Buffer ready;
  private int expected;

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
    staged = null;
    expected = bytes;
  }

  /** Stages one upstream event as it came: {@code event: name} (when it had one), its data. */
  void frame(String name, byte[] data, int offset, int length) {
    Buffer out = head(name);
    out.appendBytes(data, offset, length);
    out.appendBytes(END);
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
    Buffer out = head(name);
    out.appendBytes(data, offset, firstStart - offset).appendBytes(idFirst ? id : model)
        .appendBytes(data, firstEnd, secondStart - firstEnd).appendBytes(idFirst ? model : id)
        .appendBytes(data, secondEnd, limit - secondEnd).appendBytes(END);
  }

  /**
   * Stages a {@code message_start} the scanner could not place the id and model in (an escaped field name, a field
   * twice, a value not a string): its tree, read by the decoder, with the gateway's id and model put in, encoded again.
   */
  void messageStart(String name, JsonObject data) {
    JsonObject event = data.copy();
    JsonObject message = event.getJsonObject("message");
    message.put("id", idText).put("model", modelText);
    Buffer out = head(name);
    out.appendBytes(event.encode().getBytes(StandardCharsets.UTF_8)).appendBytes(END);
  }

  /** The read that staged the events decoded cleanly: they may go to the client. */
  void commit() {
    if (staged == null) {
      return;
    }
    if (ready == null) {
      ready = staged;
    } else {
      ready.appendBuffer(staged);
    }
    staged = null;
  }

  /** The committed bytes not yet sent (taken: the caller owns them), or null when none. */
  Buffer take() {
    Buffer out = ready;
    ready = null;
    return out;
  }

  private Buffer head(String name) {
    if (staged == null) {
      staged = Buffer.buffer(Math.max(256, expected + 64));
    }
    if (name == null) {
      return staged.appendBytes(DATA_ONLY);
    }
    // nearly every event is a delta: its name without encoding it
    return staged.appendBytes(EVENT).appendBytes("content_block_delta".equals(name) ? CONTENT_BLOCK_DELTA : ascii(name))
        .appendBytes(DATA);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
