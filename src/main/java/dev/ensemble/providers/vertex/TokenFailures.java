package dev.ensemble.providers.vertex;

import com.google.api.client.http.HttpResponseException;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.providers.auth.UpstreamAuthException;
import io.vertx.core.json.JsonObject;

import java.security.GeneralSecurityException;

/**
 * Why a service account's access token could not be fetched, classified for the router. google-auth reports a
 * token endpoint's error answer as an {@code IOException} caused by the {@link HttpResponseException} with its
 * status and body, and a transport failure as one caused by the I/O error; an unusable key file surfaces as the
 * {@link IllegalArgumentException} of {@link ServiceAccount#load}.
 * <ul>
 *   <li>a 4xx answer other than 408 and 429 (Google's {@code 400 {"error":"invalid_grant"}} for a deleted or
 *       disabled key or account, {@code unauthorized_client}, {@code invalid_client}, ...), a key that is no
 *       service-account JSON key, or a private key that cannot sign: {@link ErrorClass#KEY_INVALID};</li>
 *   <li>5xx, 408, 429, timeouts and connection failures: {@link ErrorClass#RETRYABLE} (google-auth has already
 *       retried 500, 503, 408 and 429 by then).</li>
 * </ul>
 * The resulting message names the OAuth error code at most, never Google's description or the key.
 */
final class TokenFailures {

  private TokenFailures() {
  }

  static UpstreamAuthException classify(Throwable failure) {
    if (failure instanceof UpstreamAuthException classified) {
      return classified;
    }
    if (failure instanceof IllegalArgumentException) {
      return new UpstreamAuthException(ErrorClass.KEY_INVALID, "invalid_key", "the service-account key " + failure.getMessage());
    }
    HttpResponseException answer = find(failure, HttpResponseException.class);
    if (answer != null) {
      int status = answer.getStatusCode();
      if (status >= 400 && status < 500 && status != 408 && status != 429) {
        String code = oauthError(answer.getContent());
        return new UpstreamAuthException(ErrorClass.KEY_INVALID, code != null ? code : "token_" + status,
            "Google's token endpoint refused the service-account key (" + (code != null ? code : "HTTP " + status) + ")");
      }
      return new UpstreamAuthException(ErrorClass.RETRYABLE, "token_" + status,
          "Google's token endpoint failed with HTTP " + status + "; no access token");
    }
    if (find(failure, GeneralSecurityException.class) != null) {
      return new UpstreamAuthException(ErrorClass.KEY_INVALID, "invalid_key",
          "the service-account key cannot sign a token request (unusable private_key)");
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new UpstreamAuthException(ErrorClass.RETRYABLE, "token_unreachable",
        "Google's token endpoint could not be reached (" + root.getClass().getSimpleName() + "); no access token");
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The {@code error} of an OAuth error body ({@code {"error":"invalid_grant",...}}) if it is a plain code, else null. */
  private static String oauthError(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      Object error = new JsonObject(body).getValue("error");
      return error instanceof String code && code.matches("[A-Za-z0-9_.-]{1,64}") ? code : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }
}
