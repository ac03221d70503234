package dev.ensemble.model;

/**
 * The kinds of failure a client can be told about, with the HTTP status each maps to. Client formats
 * render these into their own error vocabularies (OpenAI {@code error.type}, Anthropic {@code error.type}).
 */
public enum ErrorType {
  INVALID_REQUEST("invalid_request", 400),
  AUTHENTICATION("authentication", 401),
  PERMISSION("permission", 403),
  NOT_FOUND("not_found", 404),
  REQUEST_TOO_LARGE("request_too_large", 413),
  RATE_LIMITED("rate_limited", 429),
  INTERNAL("internal", 500),
  UPSTREAM_ERROR("upstream_error", 502),
  UPSTREAM_AUTH_FAILED("upstream_auth_failed", 502),
  OVERLOADED("overloaded", 503),
  UPSTREAM_TIMEOUT("upstream_timeout", 504);

  private final String wireName;
  private final int status;

  ErrorType(String wireName, int status) {
    this.wireName = wireName;
    this.status = status;
  }

  public String wireName() {
    return wireName;
  }

  public int defaultStatus() {
    return status;
  }
}
