package dev.ensemble.providers.bedrock;

import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.auth.UpstreamAuth;
import io.vertx.core.MultiMap;

/**
 * Hands an endpoint's region and key to the {@link BedrockTransport} in two in-process headers, which the
 * transport removes: the SDK signs the real request (SigV4), so nothing here is ever sent as is. The region is
 * the endpoint's {@code region}, else {@code defaultRegion}; without a key the transport signs with the SDK's
 * default credentials chain.
 */
public final class BedrockAuth implements UpstreamAuth {

  private final String defaultRegion;

  public BedrockAuth(String defaultRegion) {
    this.defaultRegion = defaultRegion;
  }

  @Override
  public void apply(MultiMap headers, Endpoint endpoint) {
    String region = endpoint.region() == null || endpoint.region().isBlank() ? defaultRegion : endpoint.region().trim();
    headers.set(BedrockTransport.REGION_HEADER, region);
    if (!endpoint.apiKey().isEmpty()) {
      headers.set(BedrockTransport.CREDENTIALS_HEADER, endpoint.apiKey().value());
    }
  }
}
