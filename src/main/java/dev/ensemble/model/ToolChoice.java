package dev.ensemble.model;

/**
 * How the model may use tools: {@code AUTO} (it decides), {@code ANY} (it must call some tool),
 * {@code NONE}, or {@code TOOL} (it must call the tool named {@code name}).
 * {@code disableParallel} asks for at most one tool call per turn.
 */
public record ToolChoice(Mode mode, String name, boolean disableParallel) {

  public enum Mode { AUTO, ANY, NONE, TOOL }

  public static ToolChoice auto() {
    return new ToolChoice(Mode.AUTO, null, false);
  }
}
