package dev.ensemble.model;

/**
 * A classified upstream failure. {@code type} is the provider's own error type or code
 * (e.g. {@code overloaded_error}, {@code rate_limit_exceeded}); {@code retryAfterMillis} is how long the
 * provider asked us to wait, or {@code null}.
 */
public record ProviderError(ErrorClass errorClass, int status, String type, String message, Long retryAfterMillis) {}
