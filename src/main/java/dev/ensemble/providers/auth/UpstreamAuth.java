package dev.ensemble.providers.auth;

import dev.ensemble.pools.Endpoint;
import io.vertx.core.MultiMap;

/** Adds an endpoint's credentials to an upstream request. Kept apart from adapters, which never see keys. */
public interface UpstreamAuth {

  void apply(MultiMap headers, Endpoint endpoint);

  /** {@code Authorization: Bearer <key>} (OpenAI and compatible APIs). */
  static UpstreamAuth bearer() {
    return (headers, endpoint) -> {
      if (!endpoint.apiKey().isEmpty()) {
        headers.set("Authorization", "Bearer " + endpoint.apiKey().value());
      }
    };
  }

  /** A provider-specific key header, e.g. Anthropic's {@code x-api-key}. */
  static UpstreamAuth header(String name) {
    return (headers, endpoint) -> {
      if (!endpoint.apiKey().isEmpty()) {
        headers.set(name, endpoint.apiKey().value());
      }
    };
  }

  /** No credentials (self-hosted servers, the built-in mock). */
  static UpstreamAuth none() {
    return (headers, endpoint) -> { };
  }
}
