package dev.ensemble.config;

/**
 * {@code providers.<name>.http:} — how the gateway's HTTP client reaches the provider's hosts.
 *
 * @param version                  which HTTP version is spoken (see {@link Version})
 * @param http1ConnectionsPerHost  most HTTP/1.1 connections open to one host:port; each carries one request at a time
 * @param http2ConnectionsPerHost  most HTTP/2 connections open to one host:port; each carries as many streams at
 *                                 once as the host allows (its {@code SETTINGS_MAX_CONCURRENT_STREAMS}), and a new
 *                                 one is opened only when the open ones are full
 */
public record UpstreamHttp(Version version, int http1ConnectionsPerHost, int http2ConnectionsPerHost) {

  /** Enough for 256 requests in flight to a host that speaks only HTTP/1.1. */
  public static final int DEFAULT_HTTP1_CONNECTIONS_PER_HOST = 256;
  /**
   * Hosts commonly allow 100 to 256 concurrent streams per connection: 128 connections carry 12,800 or more
   * streams to one host before any waits. Connections are opened only as the open ones fill up.
   */
  public static final int DEFAULT_HTTP2_CONNECTIONS_PER_HOST = 128;

  /** The most connections per host either setting accepts (a port range's worth of sockets to one address). */
  public static final int MAX_CONNECTIONS_PER_HOST = 16_384;

  /** The defaults: HTTP/2 by ALPN on {@code https}, HTTP/1.1 on {@code http}. */
  public static final UpstreamHttp DEFAULTS = new UpstreamHttp(Version.AUTO, DEFAULT_HTTP1_CONNECTIONS_PER_HOST,
      DEFAULT_HTTP2_CONNECTIONS_PER_HOST);

  /** {@code providers.<name>.http.version}. */
  public enum Version {
    /** HTTP/2 offered by ALPN on {@code https} URLs (HTTP/1.1 when the host does not take it); HTTP/1.1 on {@code http}. */
    AUTO,
    /** HTTP/1.1 only, on every URL. */
    HTTP1,
    /** As {@code auto} on {@code https}; cleartext HTTP/2 with prior knowledge (no upgrade) on {@code http} URLs. */
    H2C
  }
}
