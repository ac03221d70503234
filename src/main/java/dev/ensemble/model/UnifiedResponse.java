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
 */
public record UnifiedResponse(
    String id, String model, List<ContentBlock> content, StopReason stopReason, String stopSequence, Usage usage) {

  public UnifiedResponse {
    content = List.copyOf(content);
    usage = usage == null ? Usage.UNKNOWN : usage;
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
