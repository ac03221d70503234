package dev.ensemble.model;

/** An upstream answered with something its wire format does not allow (bad JSON, missing fields). */
public final class UpstreamProtocolException extends RuntimeException {

  public UpstreamProtocolException(String message) {
    super(message, null, false, false);
  }

  public UpstreamProtocolException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
