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

  /**
   * Pass-through: when {@code upstream} decodes a stream in this very format, the encoder may take the upstream's
   * bytes from it (with whatever the gateway must rewrite) and send those instead of rendering the events, which
   * still flow for the journal and the accounting. Returns whether it does; called before the first event.
   */
  default boolean relayFrom(StreamDecoder upstream) {
    return false;
  }

  /**
   * Bytes to send that no event carried (pass-through frames of an upstream read that produced no unified event);
   * empty when none. Called after the events of each upstream read.
   */
  default Buffer pending() {
    return Buffer.buffer();
  }

  /** The streamed body's content type: SSE unless the format streams something else (Gemini's JSON array). */
  default String contentType() {
    return "text/event-stream";
  }
}
