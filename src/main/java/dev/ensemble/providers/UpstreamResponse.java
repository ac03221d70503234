package dev.ensemble.providers;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * An upstream's answer as it arrives: status and headers first, then the body as a stream that starts
 * paused, so the reader attaches its handlers before any byte is delivered.
 */
public interface UpstreamResponse {

  int status();

  MultiMap headers();

  /** The body, paused; call {@code resume()} after setting handlers. */
  ReadStream<Buffer> body();

  /** Reads the whole body (for errors and non-streamed answers). */
  Future<Buffer> fullBody();

  /** Aborts the exchange: the upstream connection is reset and no more data is delivered. */
  void cancel();
}
