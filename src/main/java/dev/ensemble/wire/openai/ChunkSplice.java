package dev.ensemble.wire.openai;

import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.wire.FrameStage;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Pass-through of an OpenAI upstream's stream to an OpenAI client: each upstream frame as it came, byte for byte,
 * except the three values the gateway owns, spliced in place — {@code id} (the gateway's {@code chatcmpl-<request
 * id>}), {@code model} (the name the client asked for) and {@code created} — and the usage chunk, left out when the
 * client did not ask for {@code stream_options.include_usage} (the gateway asks the upstream for it, to account).
 * The upstream's error chunks are not passed: the gateway renders its own error.
 *
 * <p>The {@link OpenAiStreamDecoder} stages the frames of one upstream read and commits them only once the read
 * decoded without error, so nothing reaches the client that the response journal does not hold; the
 * {@link OpenAiStreamEncoder} hands the committed bytes to the client in place of rendering the events. The frames are
 * staged by array copies ({@link FrameStage}). Confined to the stream's event loop, like both.
 */
final class ChunkSplice {

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final byte[] id;
  private final byte[] model;
  private final byte[] created;
  private final boolean includeUsage;
  /** What a frame adds at most to the upstream's chunk: the {@code data: } and blank line, and the three values. */
  private final int growth;
  /** The frames of the current read, and those committed but not taken yet. */
  private final FrameStage stage = new FrameStage();
  private boolean doneSent;

  /** @param id, model the JSON strings (quoted) to put in place of the upstream's; {@code created} the digits */
  ChunkSplice(byte[] id, byte[] model, byte[] created, boolean includeUsage) {
    this.id = id;
    this.model = model;
    this.created = created;
    this.includeUsage = includeUsage;
    this.growth = DATA.length + END.length + id.length + model.length + created.length;
  }

  boolean includeUsage() {
    return includeUsage;
  }

  /**
   * Stages one upstream chunk, {@code data[offset, offset + length)}, with the values at the given spans (absolute
   * start and end in {@code data}, -1 when the chunk has no such field) replaced.
   */
  void frame(byte[] data, int offset, int length, int idStart, int idEnd, int modelStart, int modelEnd, int createdStart,
      int createdEnd) {
    stage.room(length + growth);
    stage.put(DATA);
    int at = offset;
    int limit = offset + length;
    // three spans at most, each written in the order they appear: the one starting first goes next
    boolean idLeft = idStart >= 0 && idEnd >= 0;
    boolean modelLeft = modelStart >= 0 && modelEnd >= 0;
    boolean createdLeft = createdStart >= 0 && createdEnd >= 0;
    while (idLeft || modelLeft || createdLeft) {
      int start;
      int end;
      byte[] value;
      if (idLeft && (!modelLeft || idStart < modelStart) && (!createdLeft || idStart < createdStart)) {
        start = idStart;
        end = idEnd;
        value = id;
        idLeft = false;
      } else if (modelLeft && (!createdLeft || modelStart < createdStart)) {
        start = modelStart;
        end = modelEnd;
        value = model;
        modelLeft = false;
      } else {
        start = createdStart;
        end = createdEnd;
        value = created;
        createdLeft = false;
      }
      if (start < at || end > limit || end <= start) {
        throw new UpstreamProtocolException("OpenAI stream chunk could not be passed through");
      }
      stage.put(data, at, start - at);
      stage.put(value);
      at = end;
    }
    stage.put(data, at, limit - at);
    stage.put(END);
  }

  /** Stages the upstream's {@code data: [DONE]}. */
  void done() {
    stage.room(DONE.length);
    stage.put(DONE);
    doneSent = true;
  }

  /** Whether {@code [DONE]} was passed (a stream that ended without it gets the gateway's). */
  boolean doneSent() {
    return doneSent;
  }

  /** The read that staged the frames decoded cleanly: they may go to the client. */
  void commit() {
    stage.commit();
  }

  /** The read failed: what it staged is dropped. */
  void discard() {
    stage.discard();
  }

  /** A read of {@code bytes} begins: what it stages is about that long (the frames, a few values changed). */
  void begin(int bytes) {
    stage.begin(bytes);
  }

  /** The committed bytes not yet sent (taken: the caller owns them), or null when none. */
  Buffer take() {
    return stage.take();
  }
}
