package dev.ensemble.providers.bedrock;

import dev.ensemble.config.ProviderConfig;
import dev.ensemble.providers.ProviderKind;

import java.time.Duration;

/**
 * The {@code bedrock} provider type: {@link BedrockAdapter} + {@link BedrockAuth} + {@link BedrockTransport}.
 * Endpoints without a {@code region} use {@value #DEFAULT_REGION}; endpoints without a key sign with the SDK's
 * default credentials chain (environment, profile, container or instance role).
 */
public final class BedrockProvider {

  public static final String DEFAULT_REGION = "us-east-1";

  private BedrockProvider() {
  }

  public static ProviderKind kind(ProviderConfig provider) {
    Duration readTimeout = Duration.ofMillis(Math.max(provider.timeoutMs(), provider.idleTimeoutMs()));
    boolean keyless = provider.keys().stream().anyMatch(k -> k.apiKey().isEmpty());
    return new ProviderKind(new BedrockAdapter(), new BedrockAuth(DEFAULT_REGION),
        vertx -> new BedrockTransport(vertx, DEFAULT_REGION, readTimeout, keyless));
  }
}
