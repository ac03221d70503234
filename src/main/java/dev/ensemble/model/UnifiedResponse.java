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
 */
public record UnifiedResponse(
    String id, String model, List<ContentBlock> content, StopReason stopReason, String stopSequence, Usage usage,
    io.vertx.core.json.JsonObject nativeBody) {

  public UnifiedResponse {
    content = List.copyOf(content);
    usage = usage == null ? Usage.UNKNOWN : usage;
  }

  public UnifiedResponse(String id, String model, List<ContentBlock> content, StopReason stopReason, String stopSequence, Usage usage) {
    this(id, model, content, stopReason, stopSequence, usage, null);
  }

  /** The same answer with another stop reason and usage (a failed or cut answer as stored). */
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
