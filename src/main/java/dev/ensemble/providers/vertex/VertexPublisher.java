package dev.ensemble.providers.vertex;

import dev.ensemble.config.BuiltInKind;

/**
 * Who publishes a model on Vertex AI, which decides the wire format: Anthropic's Claude models speak the Messages
 * API through {@code rawPredict}, Google's own speak {@code generateContent}.
 */
public enum VertexPublisher {
  ANTHROPIC("anthropic"),
  GOOGLE("google");

  private final String id;

  VertexPublisher(String id) {
    this.id = id;
  }

  /** The publisher's name in resource paths ({@code publishers/anthropic/models/...}). */
  public String id() {
    return id;
  }

  /** Claude ids ({@code claude-sonnet-4-5@20250929}) are Anthropic's; every other model id is Google's. */
  public static VertexPublisher of(String upstreamModel) {
    return BuiltInKind.vertexServesClaude(upstreamModel) ? ANTHROPIC : GOOGLE;
  }
}
