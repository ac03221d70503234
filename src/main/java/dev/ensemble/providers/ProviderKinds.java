package dev.ensemble.providers;

import dev.ensemble.config.ProviderConfig;
import dev.ensemble.providers.anthropic.AnthropicAdapter;
import dev.ensemble.providers.anthropic.AnthropicTokenCounts;
import dev.ensemble.providers.auth.UpstreamAuth;
import dev.ensemble.providers.bedrock.BedrockProvider;
import dev.ensemble.providers.gemini.GeminiAdapter;
import dev.ensemble.providers.gemini.GeminiEmbeddings;
import dev.ensemble.providers.gemini.GeminiTokenCounts;
import dev.ensemble.providers.mock.MockTransport;
import dev.ensemble.providers.openai.OpenAiAdapter;
import dev.ensemble.providers.openai.OpenAiEmbeddings;
import dev.ensemble.providers.openai.OpenAiImages;
import dev.ensemble.providers.openai.OpenAiProfile;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import dev.ensemble.providers.vertex.GoogleOAuthAuth;
import dev.ensemble.providers.vertex.VertexAdapter;
import dev.ensemble.providers.vertex.VertexEmbeddings;
import dev.ensemble.providers.vertex.VertexTokenCounts;

/**
 * The provider types this build supports. The one place a new provider type is registered; routing and
 * ingress only ever see {@link ProviderAdapter}s.
 */
public final class ProviderKinds {

  /** Gap between the mock provider's streamed chunks, so streaming is visible with curl. */
  private static final long MOCK_CHUNK_GAP_MS = 20;

  private ProviderKinds() {
  }

  public static ProviderKind of(ProviderConfig provider) {
    return switch (provider.type()) {
      case OPENAI -> new ProviderKind(openAiCompatible(provider), UpstreamAuth.bearer(),
          vertx -> new HttpUpstreamTransport(vertx, provider.http()), openAiCapabilities(provider));
      case ANTHROPIC -> new ProviderKind(new AnthropicAdapter(), UpstreamAuth.header("x-api-key"),
          vertx -> new HttpUpstreamTransport(vertx, provider.http()), new ProviderCapabilities(null, null, new AnthropicTokenCounts()));
      case GEMINI -> new ProviderKind(new GeminiAdapter(), UpstreamAuth.header("x-goog-api-key"),
          vertx -> new HttpUpstreamTransport(vertx, provider.http()), new ProviderCapabilities(new GeminiEmbeddings(), null, new GeminiTokenCounts()));
      case MOCK -> new ProviderKind(new OpenAiAdapter(OpenAiProfile.MOCK, null), UpstreamAuth.none(), vertx -> new MockTransport(vertx, MOCK_CHUNK_GAP_MS),
          new ProviderCapabilities(new OpenAiEmbeddings(OpenAiProfile.MOCK), new OpenAiImages(OpenAiProfile.MOCK)));
      case BEDROCK -> BedrockProvider.kind(provider);
      case VERTEX -> new ProviderKind(new VertexAdapter(), GoogleOAuthAuth.forProvider(provider),
          vertx -> new HttpUpstreamTransport(vertx, provider.http()), new ProviderCapabilities(new VertexEmbeddings(), null, new VertexTokenCounts()));
    };
  }

  /**
   * Embeddings and image generation in the OpenAI format, for every member of the family: whether an upstream
   * model really offers them is the catalog's business (a model of kind embedding or image served there).
   */
  private static ProviderCapabilities openAiCapabilities(ProviderConfig provider) {
    OpenAiProfile profile = OpenAiProfile.of(provider.kind());
    return new ProviderCapabilities(new OpenAiEmbeddings(profile), new OpenAiImages(profile));
  }

  /** The adapter shaped by the profile of the provider's kind (xai, openrouter, self_hosted, ...). */
  private static OpenAiAdapter openAiCompatible(ProviderConfig provider) {
    JsonObject preferences = provider.providerPreferences().isEmpty() ? null : new JsonObject(Json.encode(provider.providerPreferences()));
    return new OpenAiAdapter(OpenAiProfile.of(provider.kind()), preferences);
  }
}
