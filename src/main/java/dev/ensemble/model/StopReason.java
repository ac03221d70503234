package dev.ensemble.model;

/** Why the model stopped, in unified terms; each wire format maps its own values onto these. */
public enum StopReason {
  END_TURN("end_turn"),
  MAX_TOKENS("max_tokens"),
  STOP_SEQUENCE("stop_sequence"),
  TOOL_USE("tool_use"),
  PAUSE_TURN("pause_turn"),
  REFUSAL("refusal"),
  CONTENT_FILTER("content_filter"),
  ERROR("error");

  private final String wireName;

  StopReason(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in unified events ({@code response.end.stop_reason}). */
  public String wireName() {
    return wireName;
  }
}
