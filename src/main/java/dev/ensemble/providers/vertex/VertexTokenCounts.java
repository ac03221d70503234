package dev.ensemble.providers.vertex;

import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.providers.ModelIds;
import dev.ensemble.providers.TokenCountAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.gemini.GeminiTokenCountCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Token counts from Vertex AI for Google's models:
 * {@code POST /v1/projects/{project}/locations/{region}/publishers/google/models/{model}:countTokens} (format:
 * {@link GeminiTokenCountCodec}), the placeholders filled per endpoint by {@link GoogleOAuthAuth} as for chat.
 * Claude on Vertex has no count call here: the gateway estimates those. Errors are classified by {@link VertexAdapter}.
 */
public final class VertexTokenCounts implements TokenCountAdapter {

  private final GeminiTokenCountCodec codec = new GeminiTokenCountCodec();

  /** The path of a count at {@code upstreamModel}, with the {@link VertexAdapter#PROJECT} and {@link VertexAdapter#REGION} placeholders. */
  public static String path(String upstreamModel) {
    String model = upstreamModel.startsWith("models/") ? upstreamModel.substring("models/".length()) : upstreamModel;
    return "/v1/projects/" + VertexAdapter.PROJECT + "/locations/" + VertexAdapter.REGION + "/publishers/google/models/"
        + ModelIds.pathSegment(model) + ":countTokens";
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    if (VertexPublisher.of(upstreamModel) != VertexPublisher.GOOGLE) {
      return null;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json");
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel), headers, codec.encodeVertexRequest(request, upstreamModel).toBuffer(), false);
  }

  @Override
  public TokenCount fromUpstream(Buffer body) {
    return codec.decodeResponse(UpstreamJson.object(body, "Vertex countTokens"));
  }
}
