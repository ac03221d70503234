package dev.ensemble.model;

import java.util.List;

/**
 * A complete (non-streamed) answer in unified shape.
 *
 * @param id           the upstream's response id (clients are shown the gateway's own id instead)
 * @param model        the model the upstream says answered
 * @param content      the assistant's blocks in order: text, thinking and tool calls
 * @param stopReason   why the model stopped
 * @param stopSequence the stop sequence that matched, when {@code stopReason} is {@code STOP_SEQUENCE}
 * @param usage        token usage as reported by the upstream
 * @param nativeBody   the answer exactly as an upstream speaking the client's own format gave it (a
 *                     {@link Passthrough}): the client's format renders it instead of {@code content}; null otherwise
 * @param upstreamBody the bytes of a complete answer as the upstream sent them, when its format is one a client may
 *                     speak too: a client of that very format is sent them (with the gateway's id and model) instead
 *                     of a rendering of {@code content}; null otherwise (and for anything streamed or changed since)
 */
public record UnifiedResponse(
    String id, String model, List<ContentBlock> content, StopReason stopReason, String stopSequence, Usage usage,
    io.vertx.core.json.JsonObject nativeBody, UpstreamBody upstreamBody) {

  public UnifiedResponse {
    content = List.copyOf(content);
    usage = usage == null ? Usage.UNKNOWN : usage;
  }

  public UnifiedResponse(String id, String model, List<ContentBlock> content, StopReason stopReason, String stopSequence, Usage usage) {
    this(id, model, content, stopReason, stopSequence, usage, null, null);
  }

  public UnifiedResponse(String id, String model, List<ContentBlock> content, StopReason stopReason, String stopSequence, Usage usage,
      io.vertx.core.json.JsonObject nativeBody) {
    this(id, model, content, stopReason, stopSequence, usage, nativeBody, null);
  }

  /** This answer with the upstream's own bytes of it. */
  public UnifiedResponse withUpstreamBody(UpstreamBody body) {
    return new UnifiedResponse(id, model, content, stopReason, stopSequence, usage, nativeBody, body);
  }

  /** The same answer with another stop reason and usage (a failed or cut answer as stored): no longer the upstream's bytes. */
  public UnifiedResponse ended(StopReason reason, Usage finalUsage) {
    return new UnifiedResponse(id, model, content, reason, reason == stopReason ? stopSequence : null, finalUsage, nativeBody);
  }

  /** All text blocks joined, the way a client that ignores tools would read the answer. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (ContentBlock block : content) {
      if (block instanceof ContentBlock.Text t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }
}
