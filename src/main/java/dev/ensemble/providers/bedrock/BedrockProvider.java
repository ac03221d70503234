package dev.ensemble.providers.bedrock;

import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.providers.ProviderKind;

import java.time.Duration;

/**
 * The {@code bedrock} provider type: {@link BedrockAdapter} + {@link BedrockAuth} + {@link BedrockTransport}.
 * Endpoints without a {@code region} use {@value #DEFAULT_REGION}. A key's {@code api_key} is an AWS access key
 * pair (SigV4) or a Bedrock API key (bearer); endpoints without a key use the SDK's defaults: the credentials chain
 * (environment, profile, container or instance role), or the {@code AWS_BEARER_TOKEN_BEDROCK} API key when that
 * variable is set.
 */
public final class BedrockProvider {

  public static final String DEFAULT_REGION = "us-east-1";

  private BedrockProvider() {
  }

  /** The forms of a key's {@code api_key}, for messages. */
  static final String KEY_FORMS = "ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN] or a Bedrock API key (ABSK..., bedrock-api-key-...)";

  /**
   * The provider type's parts, its keys checked: a non-empty {@code api_key} is an access key pair ({@link AwsKey})
   * or a Bedrock API key ({@link BedrockApiKey}).
   *
   * @throws ConfigException naming the offending {@code api_key}, never its value
   */
  public static ProviderKind kind(ProviderConfig provider) {
    for (int i = 0; i < provider.keys().size(); i++) {
      String apiKey = provider.keys().get(i).apiKey().value();
      if (!provider.keys().get(i).apiKey().isEmpty() && AwsKey.parse(apiKey) == null && BedrockApiKey.parse(apiKey) == null) {
        throw new ConfigException("providers." + provider.name() + ".keys[" + i + "].api_key", "must be " + KEY_FORMS);
      }
    }
    Duration readTimeout = Duration.ofMillis(Math.max(provider.timeoutMs(), provider.idleTimeoutMs()));
    boolean keyless = provider.keys().stream().anyMatch(k -> k.apiKey().isEmpty());
    return new ProviderKind(new BedrockAdapter(), new BedrockAuth(DEFAULT_REGION),
        vertx -> new BedrockTransport(vertx, DEFAULT_REGION, readTimeout, keyless));
  }
}
