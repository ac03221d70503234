package dev.ensemble.wire;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Turns an upstream's streamed body into unified events, incrementally: feed bytes as they arrive, in any
 * chunking, and get back the events that are complete. One decoder serves one response and is used from
 * one thread at a time.
 */
public interface StreamDecoder {

  /** Consumes the next bytes of the stream and returns the events they complete (possibly none). */
  List<StreamEvent> feed(Buffer chunk);

  /**
   * The upstream closed the stream. Returns any events still pending. If the stream ended without its
   * terminal event, {@link #completed()} stays false and the caller must treat the answer as truncated.
   */
  List<StreamEvent> finish();

  /** Whether the terminal event ({@code response.end} or {@code error}) has been produced. */
  boolean completed();

  /**
   * The usage the upstream has reported so far: the latest cumulative counts of the events decoded up to now
   * (Anthropic's {@code message_start} and {@code message_delta}, Gemini's {@code usageMetadata} of every chunk), so
   * that a stream that breaks before its end is billed with what the upstream bills. {@link Usage#UNKNOWN} when it
   * reported none yet (OpenAI reports usage only in the stream's last chunk).
   */
  default Usage reported() {
    return Usage.UNKNOWN;
  }
}
