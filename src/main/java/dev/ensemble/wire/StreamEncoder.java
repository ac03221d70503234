package dev.ensemble.wire;

import dev.ensemble.model.StreamEvent;
import io.vertx.core.buffer.Buffer;

/**
 * Renders unified events into one client format's streamed body (e.g. OpenAI SSE chunks, Anthropic SSE
 * events). One encoder serves one response; it may keep state such as the tool-call index mapping.
 */
public interface StreamEncoder {

  /**
   * The bytes to send for this event; empty when the format has nothing to say for it. A non-empty buffer is the
   * caller's: it may keep it and append the next events' bytes to it.
   */
  Buffer encode(StreamEvent event);

  /** The streamed body's content type: SSE unless the format streams something else (Gemini's JSON array). */
  default String contentType() {
    return "text/event-stream";
  }
}
