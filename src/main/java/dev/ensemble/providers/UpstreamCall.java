package dev.ensemble.providers;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * An HTTP request to send upstream, as built by an adapter: {@code path} is relative to the endpoint's
 * base URL (e.g. {@code /chat/completions} under {@code https://api.openai.com/v1}). Carries no credentials;
 * the pool adds authentication.
 */
public record UpstreamCall(HttpMethod method, String path, MultiMap headers, Buffer body, boolean stream) {}
