package dev.ensemble.wire.openai;

import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pass-through of an OpenAI upstream's stream to an OpenAI client: each upstream frame as it came, byte for byte,
 * except the three values the gateway owns, spliced in place — {@code id} (the gateway's {@code chatcmpl-<request
 * id>}), {@code model} (the name the client asked for) and {@code created} — and the usage chunk, left out when the
 * client did not ask for {@code stream_options.include_usage} (the gateway asks the upstream for it, to account).
 * The upstream's error chunks are not passed: the gateway renders its own error.
 *
 * <p>The {@link OpenAiStreamDecoder} stages the frames of one upstream read and commits them only once the read
 * decoded without error, so nothing reaches the client that the response journal does not hold; the
 * {@link OpenAiStreamEncoder} hands the committed bytes to the client in place of rendering the events. Confined to
 * the stream's event loop, like both.
 */
final class ChunkSplice {

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONE = new byte[0];
  /** A stage up to this long is kept for the stream's next read; a larger one (a burst) is let go once committed. */
  private static final int KEPT = 2048;

  private final byte[] id;
  private final byte[] model;
  private final byte[] created;
  private final boolean includeUsage;
  /** What a frame adds at most to the upstream's chunk: the {@code data: } and blank line, and the three values. */
  private final int growth;
  /**
   * The frames the current read staged, {@code stage[0, staged)}: plain array copies while they are spliced (a Vert.x
   * Buffer's append checks its bounds and capacity on every call), copied into a Buffer once, at {@link #commit}; kept
   * for the next read while it is small ({@value #KEPT} bytes), so an open stream holds no more than that.
   */
  private byte[] stage = NONE;
  private int staged;
  private Buffer ready;
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
    room(length + growth);
    byte[] out = stage;
    int n = put(out, staged, DATA, 0, DATA.length);
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
      n = put(out, n, data, at, start - at);
      n = put(out, n, value, 0, value.length);
      at = end;
    }
    n = put(out, n, data, at, limit - at);
    staged = put(out, n, END, 0, END.length);
  }

  /** Stages the upstream's {@code data: [DONE]}. */
  void done() {
    room(DONE.length);
    staged = put(stage, staged, DONE, 0, DONE.length);
    doneSent = true;
  }

  /** Whether {@code [DONE]} was passed (a stream that ended without it gets the gateway's). */
  boolean doneSent() {
    return doneSent;
  }

  /** The read that staged the frames decoded cleanly: they may go to the client. */
  void commit() {
    if (staged == 0) {
      return;
    }
    if (ready == null) {
      ready = Buffer.buffer(staged);
    }
    ready.appendBytes(stage, 0, staged);
    staged = 0;
    if (stage.length > KEPT) {
      stage = NONE;
    }
  }

  /** The read failed: what it staged is dropped. */
  void discard() {
    staged = 0;
    if (stage.length > KEPT) {
      stage = NONE;
    }
  }

  /** A read of {@code bytes} begins: what it stages is about that long (the frames, a few values changed). */
  void begin(int bytes) {
    staged = 0;
    if (stage.length < bytes + 128) {
      // a read's frames are about its bytes; the gateway's values may make them longer (then room() grows the stage)
      stage = new byte[bytes + (bytes >> 3) + 128];
    }
  }

  /** The committed bytes not yet sent (taken: the caller owns them), or null when none. */
  Buffer take() {
    Buffer out = ready;
    ready = null;
    return out;
  }

  /** Room in the stage for {@code more} bytes after what is staged. */
  private void room(int more) {
    if (staged + more > stage.length) {
      stage = Arrays.copyOf(stage, Math.max(staged + more, stage.length * 2));
    }
  }

  private static int put(byte[] out, int at, byte[] bytes, int from, int length) {
    System.arraycopy(bytes, from, out, at, length);
    return at + length;
  }
}
