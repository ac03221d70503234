package dev.ensemble.model;

/**
 * A failure to be shown to a client, in whichever format it speaks. Carries no stack trace: it is thrown
 * to end a request cleanly, never to report a bug.
 */
public final class GatewayError extends RuntimeException {

  private final ErrorType type;
  private final int status;
  private final boolean retryable;
  private final Long retryAfterSeconds;
  private final String param;

  public GatewayError(ErrorType type, int status, String message, boolean retryable, Long retryAfterSeconds, String param) {
    super(message, null, false, false);
    this.type = type;
    this.status = status;
    this.retryable = retryable;
    this.retryAfterSeconds = retryAfterSeconds;
    this.param = param;
  }

  /** {@code cause} itself when it is a GatewayError, else a 500 that names no internals. */
  public static GatewayError from(Throwable cause) {
    return cause instanceof GatewayError e ? e : of(ErrorType.INTERNAL, "The request could not be admitted");
  }

  public static GatewayError of(ErrorType type, String message) {
    return new GatewayError(type, type.defaultStatus(), message, type.defaultStatus() >= 500 || type == ErrorType.RATE_LIMITED, null, null);
  }

  /** A 400 naming the offending field, e.g. {@code messages[2].content[0].image_url}. */
  public static GatewayError invalid(String param, String message) {
    return new GatewayError(ErrorType.INVALID_REQUEST, 400, param == null ? message : param + ": " + message, false, null, param);
  }

  public ErrorType type() {
    return type;
  }

  public int status() {
    return status;
  }

  public boolean retryable() {
    return retryable;
  }

  /** Seconds the client should wait before retrying, or {@code null}. */
  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The request field at fault, or {@code null}. */
  public String param() {
    return param;
  }
}
