package dev.ensemble.providers.auth;

import dev.ensemble.model.ErrorClass;

/**
 * The credentials of an endpoint could not be obtained before the call, e.g. an OAuth token endpoint refused the
 * key ({@link ErrorClass#KEY_INVALID}) or could not be reached ({@link ErrorClass#RETRYABLE}). What an
 * {@link UpstreamAuth#authorize} future fails with when it knows what the router should do; any other failure of
 * it counts as a connection failure.
 *
 * <p>The message is the gateway's own and safe to show clients: it never carries the key, nor the identity
 * provider's error text (which goes to the log).
 *
 * @see #type()
 */
public final class UpstreamAuthException extends RuntimeException {

  private final ErrorClass errorClass;
  private final String type;

  /** @param type short cause for status and metrics, e.g. the OAuth error code {@code invalid_grant} */
  public UpstreamAuthException(ErrorClass errorClass, String type, String message) {
    super(message, null, false, false);
    this.errorClass = errorClass;
    this.type = type;
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  public String type() {
    return type;
  }
}
