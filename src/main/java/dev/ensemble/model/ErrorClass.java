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
  KEY_INVALID
}
