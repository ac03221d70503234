package dev.ensemble.config;

import java.util.List;

/**
 * {@code routes.<name>:} — a named workflow ({@code POST /v1/workflows/<name>}) with fallbacks.
 *
 * @param cache     the route's response cache policy ({@code type: none} when it has none)
 * @param timeoutMs how long one request of the route may take across its attempts and fallbacks ({@code timeout_ms},
 *                  {@code server.request_timeout_ms} when not set)
 * @param operation what the route fronts ({@code chat}, {@code embeddings}, {@code images}), or empty: by its model's kind
 */
public record RouteConfig(String name, String model, List<String> fallback, Retry retry, ResponseCacheConfig cache, long timeoutMs,
    String operation) {

  public RouteConfig {
    fallback = List.copyOf(fallback);
  }

  /** Retries of the route's model before its fallbacks are tried. */
  public record Retry(int maxAttempts, long initialBackoffMs, boolean jitter) {}

  /** Operations a route can front: chosen by {@code operation:}, else by the kind of the route's model. */
  public static final java.util.List<String> OPERATIONS = java.util.List.of("chat", "embeddings", "images");
}
