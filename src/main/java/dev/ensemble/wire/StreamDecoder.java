package dev.ensemble.wire;

import dev.ensemble.model.StreamEvent;
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
}
