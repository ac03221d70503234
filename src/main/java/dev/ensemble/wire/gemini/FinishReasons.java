package dev.ensemble.wire.gemini;

import dev.ensemble.model.StopReason;

/** Gemini {@code finishReason} values as unified stop reasons. */
final class FinishReasons {

  private FinishReasons() {
  }

  /**
   * {@code STOP} is END_TURN, or TOOL_USE when the answer calls a function (Gemini says STOP for those too);
   * {@code MAX_TOKENS}; the safety family ({@code SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII,
   * IMAGE_SAFETY, LANGUAGE}) is CONTENT_FILTER; {@code MALFORMED_FUNCTION_CALL} and {@code UNEXPECTED_TOOL_CALL}
   * are ERROR; anything else (including {@code OTHER} and values newer than this code) is END_TURN.
   */
  static StopReason decode(String finishReason, boolean calledTools) {
    if (finishReason == null) {
      return calledTools ? StopReason.TOOL_USE : StopReason.END_TURN;
    }
    return switch (finishReason) {
      case "MAX_TOKENS" -> StopReason.MAX_TOKENS;
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
          "IMAGE_RECITATION", "LANGUAGE" -> StopReason.CONTENT_FILTER;
      case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS" -> StopReason.ERROR;
      default -> calledTools ? StopReason.TOOL_USE : StopReason.END_TURN;
    };
  }
}
