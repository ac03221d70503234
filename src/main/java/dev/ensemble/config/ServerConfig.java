package dev.ensemble.config;

/**
 * {@code server:} — where and how the node listens.
 *
 * @param allowAnonymous explicitly permits {@code require_client_keys: false} on a non-loopback host
 * @param metricsKey     when set, {@code /metrics} needs it as a bearer token
 */
public record ServerConfig(
    String host, int port, long maxBodyBytes, Secret adminKey, boolean requireClientKeys, boolean allowAnonymous,
    Secret metricsKey) {

  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
