package dev.ensemble.ingress;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.providers.auth.UpstreamAuthException;

import java.util.concurrent.TimeoutException;

/** Turns what went wrong upstream into what the client is told. Never passes on upstream credentials. */
final class UpstreamFailures {

  private UpstreamFailures() {
  }

  /** A classified error response from the provider. */
  static GatewayError fromProvider(ProviderError error, String provider) {
    String detail = error.message() == null || error.message().isBlank() ? "" : ": " + error.message();
    Long retryAfter = error.retryAfterMillis() == null ? null : Math.max(1L, (error.retryAfterMillis() + 999) / 1000);
    return switch (error.errorClass()) {
      case RATE_LIMITED -> new GatewayError(ErrorType.RATE_LIMITED, 429,
          "Upstream " + provider + " is rate limiting this request" + detail, true, retryAfter == null ? 1L : retryAfter, null);
      case KEY_INVALID -> new GatewayError(ErrorType.UPSTREAM_AUTH_FAILED, 502,
          "Upstream " + provider + " rejected the gateway's credentials (" + error.status() + ")", true, null, null);
      case PERMANENT -> new GatewayError(error.status() == 404 ? ErrorType.NOT_FOUND : error.status() == 413 ? ErrorType.REQUEST_TOO_LARGE
          : ErrorType.INVALID_REQUEST, clientStatus(error.status()), "Upstream " + provider + " rejected the request" + detail, false, null, null);
      case RETRYABLE -> retryable(error, provider, detail);
    };
  }

  private static GatewayError retryable(ProviderError error, String provider, String detail) {
    if (error.status() == 504 || error.status() == 408) {
      return new GatewayError(ErrorType.UPSTREAM_TIMEOUT, 504, "Upstream " + provider + " timed out" + detail, true, null, null);
    }
    if (error.status() == 529 || error.status() == 503) {
      return new GatewayError(ErrorType.OVERLOADED, 503, "Upstream " + provider + " is overloaded" + detail, true, null, null);
    }
    return new GatewayError(ErrorType.UPSTREAM_ERROR, 502,
        "Upstream " + provider + " failed with status " + error.status() + detail, true, null, null);
  }

  private static int clientStatus(int upstreamStatus) {
    return upstreamStatus >= 400 && upstreamStatus < 500 && upstreamStatus != 401 && upstreamStatus != 403 && upstreamStatus != 429
        ? upstreamStatus : 400;
  }

  /** The endpoint's credentials could not be obtained, so nothing was sent; the exception's message is safe to show. */
  static GatewayError fromAuth(UpstreamAuthException failure, String provider) {
    return switch (failure.errorClass()) {
      case KEY_INVALID -> new GatewayError(ErrorType.UPSTREAM_AUTH_FAILED, 502,
          "Upstream " + provider + " rejected the gateway's credentials: " + failure.getMessage(), true, null, null);
      case RATE_LIMITED -> new GatewayError(ErrorType.RATE_LIMITED, 429,
          "Upstream " + provider + " is rate limiting the gateway's credentials: " + failure.getMessage(), true, 1L, null);
      case PERMANENT, RETRYABLE -> new GatewayError(ErrorType.UPSTREAM_ERROR, 502,
          "Could not obtain credentials for upstream " + provider + ": " + failure.getMessage(), true, null, null);
    };
  }

  /** A call that got no HTTP answer: timeout, refused or reset connection. */
  static GatewayError fromTransport(Throwable cause, String provider) {
    if (cause instanceof TimeoutException) {
      return new GatewayError(ErrorType.UPSTREAM_TIMEOUT, 504, "Upstream " + provider + " timed out: " + cause.getMessage(), true, null, null);
    }
    String what = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new GatewayError(ErrorType.UPSTREAM_ERROR, 502, "Could not reach upstream " + provider + ": " + what, true, null, null);
  }

}
