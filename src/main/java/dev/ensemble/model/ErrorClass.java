package dev.ensemble.model;

/** What the router should do about a failed upstream call. */
public enum ErrorClass {
  /** This key or endpoint is at its limit (429, per-key quota): try the next endpoint of the same pool. */
  RATE_LIMITED,
  /** The provider is failing (5xx, overloaded, timeout, connection lost): try another provider. */
  RETRYABLE,
  /** The request itself is wrong (400, 404, context too long, content policy): return it to the client. */
  PERMANENT,
  /** The credential is broken (401/403): disable the key and serve the request from another. */
  KEY_INVALID;

  /**
   * The class of a failed HTTP call by its status alone, for an error the provider did not name (or named in a way
   * its classifier does not know): 429 is a rate limit, 401 and 403 a broken key; 408, 409, every 5xx and a status
   * that is no error at all a passing failure of the provider; any other 4xx the request's own fault. 409 is
   * retryable because the providers whose official SDKs define retries (OpenAI's and Anthropic's: 408, 409, 429, 5xx;
   * Google's {@code ABORTED}) say so; a classifier whose provider says otherwise decides 409 before calling this.
   */
  public static ErrorClass ofStatus(int status) {
    if (status == 429) {
      return RATE_LIMITED;
    }
    if (status == 401 || status == 403) {
      return KEY_INVALID;
    }
    if (status == 408 || status == 409 || status >= 500 || status < 400) {
      return RETRYABLE;
    }
    return PERMANENT;
  }
}
