package dev.ensemble.config;

/**
 * {@code server:} — where and how the node listens.
 *
 * @param allowAnonymous explicitly permits {@code require_client_keys: false} on a non-loopback host
 * @param metricsKey     when set, {@code /metrics} needs it as a bearer token
 * @param requestTimeoutMs how long one client request may take across all its attempts (each attempt is bounded by
 *                       its provider's {@code timeout_ms}, {@code first_byte_timeout_ms}, {@code idle_timeout_ms}); a
 *                       workflow route's own {@code timeout_ms} replaces it
 */
public record ServerConfig(
    String host, int port, long maxBodyBytes, Secret adminKey, boolean requireClientKeys, boolean allowAnonymous,
    Secret metricsKey, long requestTimeoutMs) {

  /** Twice the default attempt timeout ({@code timeout_ms: 600000}), so a timed-out attempt can still fail over. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 1_200_000;

  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
