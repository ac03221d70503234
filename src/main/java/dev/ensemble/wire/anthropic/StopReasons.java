package dev.ensemble.wire.anthropic;

import dev.ensemble.model.StopReason;

/** Anthropic's {@code stop_reason} values and the unified {@link StopReason}s, both ways. */
final class StopReasons {

  private StopReasons() {
  }

  /**
   * The unified reason for an Anthropic {@code stop_reason}; {@code null} stays {@code null}.
   * {@code model_context_window_exceeded} counts as MAX_TOKENS; values unknown to this version as END_TURN.
   */
  static StopReason read(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "end_turn" -> StopReason.END_TURN;
      case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
      case "stop_sequence" -> StopReason.STOP_SEQUENCE;
      case "tool_use" -> StopReason.TOOL_USE;
      case "pause_turn" -> StopReason.PAUSE_TURN;
      case "refusal" -> StopReason.REFUSAL;
      default -> StopReason.END_TURN;
    };
  }

  /**
   * The Anthropic value for a unified reason: CONTENT_FILTER is a refusal; ERROR (an answer cut or failed, kept in its
   * record; an upstream's malformed tool call) is null, as a message shows before it stops, not an end_turn it did not reach.
   */
  static String write(StopReason reason) {
    if (reason == null) {
      return null;
    }
    return switch (reason) {
      case END_TURN -> "end_turn";
      case ERROR -> null;
      case MAX_TOKENS -> "max_tokens";
      case STOP_SEQUENCE -> "stop_sequence";
      case TOOL_USE -> "tool_use";
      case PAUSE_TURN -> "pause_turn";
      case REFUSAL, CONTENT_FILTER -> "refusal";
    };
  }
}
