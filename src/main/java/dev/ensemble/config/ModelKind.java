package dev.ensemble.config;

/**
 * {@code kind:} of a model — what it does, and so which route serves it: chat models {@code /v1/chat/completions}
 * and {@code /v1/messages}, embedding models {@code /v1/embeddings}, image models {@code /v1/images/generations}.
 */
public enum ModelKind {
  CHAT("chat completions"),
  EMBEDDING("embeddings"),
  IMAGE("image generation");

  private final String operation;

  ModelKind(String operation) {
    this.operation = operation;
  }

  /** What requests of this kind are called in error messages ({@code embeddings}, {@code image generation}). */
  public String operation() {
    return operation;
  }

  /** The name as written in config. */
  public String wireName() {
    return name().toLowerCase();
  }
}
