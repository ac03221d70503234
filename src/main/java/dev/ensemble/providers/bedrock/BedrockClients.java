package dev.ensemble.providers.bedrock;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SDK clients of one Bedrock provider: one {@link BedrockRuntimeAsyncClient} per region and endpoint override,
 * made on first use, over shared Netty HTTP clients speaking HTTP/2 as the SDK does by default for Bedrock:
 * negotiated by ALPN on {@code https://}, with prior knowledge on {@code http://} (where ALPN cannot work). SDK retries are off: failover is the router's job.
 * Clients sign with the SDK's default credentials chain unless a request carries its own credentials.
 */
final class BedrockClients {

  private static final int IO_THREADS = 2;
  private static final int MAX_CONCURRENCY = 512;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private record Key(String region, String endpointOverride) {}

  private final Duration readTimeout;
  private final Map<ProtocolNegotiation, SdkAsyncHttpClient> http = new ConcurrentHashMap<>();
  private final AwsCredentialsProvider defaultCredentials = DefaultCredentialsProvider.builder().build();
  private final Map<Key, BedrockRuntimeAsyncClient> clients = new ConcurrentHashMap<>();

  /** @param readTimeout the longest silence on a connection, so at least the provider's whole-call timeout */
  BedrockClients(Duration readTimeout) {
    this.readTimeout = readTimeout;
  }

  private SdkAsyncHttpClient http(ProtocolNegotiation negotiation) {
    return http.computeIfAbsent(negotiation, n -> NettyNioAsyncHttpClient.builder()
        .protocol(Protocol.HTTP2)
        .protocolNegotiation(n)
        .readTimeout(readTimeout)
        .writeTimeout(readTimeout)
        .connectionTimeout(CONNECT_TIMEOUT)
        .maxConcurrency(MAX_CONCURRENCY)
        .eventLoopGroupBuilder(SdkEventLoopGroup.builder().numberOfThreads(IO_THREADS))
        .build());
  }

  /** The client for {@code region}, through {@code endpointOverride} when not empty. */
  BedrockRuntimeAsyncClient client(String region, String endpointOverride) {
    return clients.computeIfAbsent(new Key(region, endpointOverride == null ? "" : endpointOverride), this::create);
  }

  /** The default credentials chain, e.g. to resolve it once off the event loop before the first call. */
  AwsCredentialsProvider defaultCredentials() {
    return defaultCredentials;
  }

  private BedrockRuntimeAsyncClient create(Key key) {
    var builder = BedrockRuntimeAsyncClient.builder()
        .region(Region.of(key.region()))
        .httpClient(http(key.endpointOverride().startsWith("http://") ? ProtocolNegotiation.ASSUME_PROTOCOL : ProtocolNegotiation.ALPN))
        .credentialsProvider(defaultCredentials)
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
    if (!key.endpointOverride().isEmpty()) {
      builder.endpointOverride(URI.create(key.endpointOverride()));
    }
    return builder.build();
  }

  /** Closes every client, the HTTP client and its threads. Blocking. */
  void close() {
    clients.values().forEach(BedrockRuntimeAsyncClient::close);
    clients.clear();
    http.values().forEach(SdkAsyncHttpClient::close);
    http.clear();
    if (defaultCredentials instanceof SdkAutoCloseable closeable) {
      closeable.close();
    }
  }
}
