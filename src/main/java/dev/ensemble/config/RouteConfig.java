package dev.ensemble.config;

import java.util.List;

/** {@code routes.<name>:} — a named workflow ({@code POST /v1/workflows/<name>}) with fallbacks. */
public record RouteConfig(String name, String model, List<String> fallback, Retry retry, ResponseCacheConfig cache, String operation) {

  public RouteConfig {
    fallback = List.copyOf(fallback);
  }

  /** Retries of the route's model before its fallbacks are tried. */
  public record Retry(int maxAttempts, long initialBackoffMs, boolean jitter) {}

  /** Operations a route can front: chosen by {@code operation:}, else by the kind of the route's model. */
  public static final java.util.List<String> OPERATIONS = java.util.List.of("chat", "embeddings", "images");
}
