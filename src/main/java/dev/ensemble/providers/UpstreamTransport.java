package dev.ensemble.providers;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Sends requests to one provider's endpoints. Safe to call from any event loop: the answer's callbacks run on
 * the caller's context, so a streamed body goes from upstream socket to client socket on one event loop.
 */
public interface UpstreamTransport {

  /**
   * Sends one request. The future fails with {@link java.util.concurrent.TimeoutException} when the response
   * headers do not arrive within {@code firstByteTimeoutMs}, or with the connection's error.
   */
  Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs);

  Future<Void> close();
}
