package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/**
 * The client's bytes of a passed-through stream, staged for one upstream read: the upstream's frames copied in (a few
 * values spliced), by plain array copies into one array — a Vert.x {@link Buffer}'s append checks its bounds and
 * capacity on every call, and a frame is several appends — and made a Buffer once, when the read decoded cleanly
 * ({@link #commit}); dropped when it did not ({@link #discard}). The array is kept for the stream's next read while it is
 * small ({@value #KEPT} bytes), so an open stream holds no more than that between reads. One per passed-through stream,
 * confined to its event loop (the OpenAI and Anthropic splices own one each).
 */
public final class FrameStage {

  private static final byte[] NONE = new byte[0];
  /** A stage up to this long is kept for the next read; a larger one (a burst) is let go once committed or dropped. */
  static final int KEPT = 2048;

  private byte[] stage = NONE;
  private int staged;
  private Buffer ready;

  /** A read of {@code bytes} begins: what it stages is about that long (the frames, a few values changed). */
  public void begin(int bytes) {
    staged = 0;
    if (stage.length < bytes + 128) {
      stage = new byte[bytes + (bytes >> 3) + 128];
    }
  }

  /** Room for {@code more} bytes after what is staged: to be asked before the {@link #put}s that write them. */
  public void room(int more) {
    if (staged + more > stage.length) {
      stage = Arrays.copyOf(stage, Math.max(staged + more, stage.length * 2));
    }
  }

  /** Stages {@code bytes}, within the {@link #room} asked for. */
  public void put(byte[] bytes) {
    System.arraycopy(bytes, 0, stage, staged, bytes.length);
    staged += bytes.length;
  }

  /** Stages {@code bytes[from, from + length)}, within the {@link #room} asked for. */
  public void put(byte[] bytes, int from, int length) {
    System.arraycopy(bytes, from, stage, staged, length);
    staged += length;
  }

  /** The read that staged the frames decoded cleanly: they may go to the client. */
  public void commit() {
    if (staged > 0) {
      if (ready == null) {
        ready = Buffer.buffer(staged);
      }
      ready.appendBytes(stage, 0, staged);
    }
    release();
  }

  /** The read failed: what it staged is dropped. */
  public void discard() {
    release();
  }

  /** The committed bytes not yet sent (taken: the caller owns them), or null when none. */
  public Buffer take() {
    Buffer out = ready;
    ready = null;
    return out;
  }

  private void release() {
    staged = 0;
    if (stage.length > KEPT) {
      stage = NONE;
    }
  }
}
