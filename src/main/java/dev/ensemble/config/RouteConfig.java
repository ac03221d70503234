package dev.ensemble.config;

import java.util.List;

/**
 * {@code routes.<name>:} — a named workflow ({@code POST /v1/workflows/<name>}) with fallbacks.
 *
 * @param timeoutMs how long one request of the route may take across its attempts and fallbacks ({@code timeout_ms},
 *                  {@code server.request_timeout_ms} when not set)
 */
public record RouteConfig(String name, String model, List<String> fallback, Retry retry, Cache cache, long timeoutMs) {

  public RouteConfig {
    fallback = List.copyOf(fallback);
  }

  /** Retries of the route's model before its fallbacks are tried. */
  public record Retry(int maxAttempts, long initialBackoffMs, boolean jitter) {}

  /** A response cache for the route; {@code type} {@code none} disables it. */
  public record Cache(String type, double threshold, long ttlSeconds, String embeddingModel, double auditSampleRate) {}
}
