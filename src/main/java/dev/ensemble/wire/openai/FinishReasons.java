package dev.ensemble.wire.openai;

import dev.ensemble.model.StopReason;

/** OpenAI {@code finish_reason} values and unified stop reasons. */
final class FinishReasons {

  private FinishReasons() {
  }

  static StopReason decode(String finishReason) {
    if (finishReason == null) {
      return StopReason.END_TURN;
    }
    return switch (finishReason) {
      case "length" -> StopReason.MAX_TOKENS;
      case "tool_calls", "function_call" -> StopReason.TOOL_USE;
      case "content_filter" -> StopReason.CONTENT_FILTER;
      default -> StopReason.END_TURN;
    };
  }

  /**
   * The {@code finish_reason} for {@code reason}. An answer that ended in an error (a stream cut or failed, kept in
   * its record; an upstream's malformed tool call) has none of OpenAI's values true of it: it is {@code null}, as a
   * choice shows before it finishes, rather than a {@code stop} or {@code length} it did not reach.
   */
  static String encode(StopReason reason) {
    if (reason == null) {
      return "stop";
    }
    return switch (reason) {
      case MAX_TOKENS -> "length";
      case TOOL_USE -> "tool_calls";
      case CONTENT_FILTER, REFUSAL -> "content_filter";
      case ERROR -> null;
      default -> "stop";
    };
  }
}
