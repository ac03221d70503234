package dev.ensemble.model;

/** The kinds of content block, named as they appear in unified event blocks ({@code block.start.kind}). */
public enum BlockKind {
  TEXT("text"),
  IMAGE("image"),
  DOCUMENT("document"),
  TOOL_USE("tool_use"),
  TOOL_RESULT("tool_result"),
  THINKING("thinking");

  private final String wireName;

  BlockKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
