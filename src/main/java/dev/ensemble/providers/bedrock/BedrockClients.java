package dev.ensemble.providers.bedrock;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.token.credentials.StaticTokenProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.auth.scheme.BedrockRuntimeAuthSchemeProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SDK clients of one Bedrock provider: one {@link BedrockRuntimeAsyncClient} per region, endpoint override and auth,
 * made on first use, over shared Netty HTTP clients speaking HTTP/2 as the SDK does by default for Bedrock:
 * negotiated by ALPN on {@code https://}, with prior knowledge on {@code http://} (where ALPN cannot work). SDK retries are off: failover is the router's job.
 * Three kinds of client: for keyless endpoints, the SDK's defaults (its credentials chain, or the API key in
 * {@code AWS_BEARER_TOKEN_BEDROCK}, which the SDK then prefers); for access keys, which each request carries,
 * SigV4 pinned; for a {@link BedrockApiKey Bedrock API key}, a client of its own sending it as a bearer token
 * (the SDK's {@value #BEARER} scheme preferred, a static token provider).
 */
final class BedrockClients {

  private static final int IO_THREADS = 2;
  private static final int MAX_CONCURRENCY = 512;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The SDK's names of the auth schemes in a preference list ({@code aws.auth#sigv4}, {@code smithy.api#httpBearerAuth}). */
  static final String SIGV4 = "sigv4";
  static final String BEARER = "httpBearerAuth";

  /** How a client authenticates: as the SDK's defaults say, SigV4 whatever they say, or with a Bedrock API key. */
  private enum Auth { DEFAULTS, SIGV4, BEARER }

  /** @param apiKey the Bedrock API key of a {@link Auth#BEARER} client, else empty */
  private record Key(String region, String endpointOverride, Auth auth, String apiKey) {
    @Override
    public String toString() {
      return "Key[" + region + ", " + endpointOverride + ", " + auth + "]";
    }
  }

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

  /**
   * The client for {@code region}, through {@code endpointOverride} when not empty, authenticating as the SDK's
   * defaults say: the default credentials chain, or the bearer token of {@code AWS_BEARER_TOKEN_BEDROCK} when set.
   */
  BedrockRuntimeAsyncClient client(String region, String endpointOverride) {
    return client(region, endpointOverride, Auth.DEFAULTS, "");
  }

  /** A client that signs with SigV4 even when {@code AWS_BEARER_TOKEN_BEDROCK} is set: for requests with their own access key. */
  BedrockRuntimeAsyncClient signingClient(String region, String endpointOverride) {
    return client(region, endpointOverride, Auth.SIGV4, "");
  }

  /** A client sending {@code apiKey} as its bearer token. */
  BedrockRuntimeAsyncClient bearerClient(String region, String endpointOverride, BedrockApiKey apiKey) {
    return client(region, endpointOverride, Auth.BEARER, apiKey.token());
  }

  private BedrockRuntimeAsyncClient client(String region, String endpointOverride, Auth auth, String apiKey) {
    return clients.computeIfAbsent(new Key(region, endpointOverride == null ? "" : endpointOverride, auth, apiKey), this::create);
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
    if (key.auth() == Auth.SIGV4) {
      builder.authSchemeProvider(BedrockRuntimeAuthSchemeProvider.defaultProvider(List.of(SIGV4)));
    } else if (key.auth() == Auth.BEARER) {
      String token = key.apiKey();
      builder.tokenProvider(StaticTokenProvider.create(() -> token))
          .authSchemeProvider(BedrockRuntimeAuthSchemeProvider.defaultProvider(List.of(BEARER)));
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
