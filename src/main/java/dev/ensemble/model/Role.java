package dev.ensemble.model;

/** Who said a message. System prompts are not messages: they live in {@link UnifiedRequest#system()}. */
public enum Role {
  USER,
  ASSISTANT
}
