package dev.ensemble.config;

/**
 * {@code server:} — where and how the node listens.
 *
 * @param allowAnonymous explicitly permits {@code require_client_keys: false} on a non-loopback host
 * @param metricsKey     when set, {@code /metrics} needs it as a bearer token
 * @param requestTimeoutMs how long one client request may take across all its attempts (each attempt is bounded by
 *                       its provider's {@code timeout_ms}, {@code first_byte_timeout_ms}, {@code idle_timeout_ms}); a
 *                       workflow route's own {@code timeout_ms} replaces it
 * @param headerReadTimeoutMs how long a connection awaiting a request head may go without a byte arriving
 * @param bodyReadTimeoutMs   how long a request body may take to arrive, from the end of its head
 * @param idleTimeoutMs       how long a keep-alive connection may wait, after a response ends, for the next request's head
 * @param drainTimeoutMs how long a draining node lets requests and streams in flight run before it ends them with an
 *                       error event (from the start of the drain)
 * @param drainGraceMs   how long a draining node still accepts new requests after its readiness turned 503, so the
 *                       load balancer notices first; less than {@code drainTimeoutMs}
 */
public record ServerConfig(
    String host, int port, long maxBodyBytes, Secret adminKey, boolean requireClientKeys, boolean allowAnonymous,
    Secret metricsKey, long requestTimeoutMs, long headerReadTimeoutMs, long bodyReadTimeoutMs, long idleTimeoutMs,
    long drainTimeoutMs, long drainGraceMs) {

  /** Twice the default attempt timeout ({@code timeout_ms: 600000}), so a timed-out attempt can still fail over. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 1_200_000;
  public static final long DEFAULT_HEADER_READ_TIMEOUT_MS = 30_000;
  public static final long DEFAULT_BODY_READ_TIMEOUT_MS = 120_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 75_000;
  /**
   * Five minutes: long generations (reasoning models, long documents) commonly stream for one to three minutes,
   * so a rolling deploy lets nearly every stream finish; Kubernetes' grace period is set above it.
   */
  public static final long DEFAULT_DRAIN_TIMEOUT_MS = 300_000;
  /** Five seconds: two periods of a readiness probe or load-balancer health check polled every 2-5 s. */
  public static final long DEFAULT_DRAIN_GRACE_MS = 5_000;

  /** The settings with the default connection timeouts and drain. */
  public ServerConfig(String host, int port, long maxBodyBytes, Secret adminKey, boolean requireClientKeys, boolean allowAnonymous,
      Secret metricsKey, long requestTimeoutMs) {
    this(host, port, maxBodyBytes, adminKey, requireClientKeys, allowAnonymous, metricsKey, requestTimeoutMs,
        DEFAULT_HEADER_READ_TIMEOUT_MS, DEFAULT_BODY_READ_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS,
        DEFAULT_DRAIN_GRACE_MS);
  }

  /** The same settings listening on {@code port}. */
  public ServerConfig withPort(int port) {
    return new ServerConfig(host, port, maxBodyBytes, adminKey, requireClientKeys, allowAnonymous, metricsKey, requestTimeoutMs,
        headerReadTimeoutMs, bodyReadTimeoutMs, idleTimeoutMs, drainTimeoutMs, drainGraceMs);
  }

  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
