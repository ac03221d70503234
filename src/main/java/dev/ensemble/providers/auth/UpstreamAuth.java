package dev.ensemble.providers.auth;

import dev.ensemble.providers.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/** Adds an endpoint's credentials to an upstream request. Kept apart from adapters, which never see keys. */
public interface UpstreamAuth {

  void apply(MultiMap headers, Endpoint endpoint);

  /**
   * What the pool calls for every request: adds the credentials to {@code headers} and completes with the
   * absolute URL of the call, {@code path} being the adapter's. Schemes whose credentials must be fetched first
   * (OAuth access tokens) or that scope the URL to the credential (a Google service account's project) override
   * it; it never blocks, and completes on the caller's context. The default applies {@link #apply} and joins the
   * endpoint's base URL and {@code path}.
   */
  default Future<String> authorize(MultiMap headers, Endpoint endpoint, String path) {
    apply(headers, endpoint);
    return Future.succeededFuture(endpoint.baseUrl() + path);
  }

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
