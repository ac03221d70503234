package dev.ensemble.providers.vertex;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.providers.EmbeddingsAdapter;
import dev.ensemble.providers.ModelIds;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.gemini.VertexEmbeddingsCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Embeddings from Google's text embedding models on Vertex AI:
 * {@code POST /v1/projects/{project}/locations/{region}/publishers/google/models/{model}:predict} (format:
 * {@link VertexEmbeddingsCodec}), the placeholders filled per endpoint by {@link GoogleOAuthAuth} as for chat.
 * Errors are Google's and are classified by {@link VertexAdapter}.
 */
public final class VertexEmbeddings implements EmbeddingsAdapter {

  private static final String UPSTREAM = "Vertex AI (provider type vertex)";

  private final VertexEmbeddingsCodec codec = new VertexEmbeddingsCodec();

  /** The path of an embeddings call to {@code upstreamModel}, with the {@link VertexAdapter#PROJECT} and {@link VertexAdapter#REGION} placeholders. */
  public static String path(String upstreamModel) {
    String model = upstreamModel.startsWith("models/") ? upstreamModel.substring("models/".length()) : upstreamModel;
    return "/v1/projects/" + VertexAdapter.PROJECT + "/locations/" + VertexAdapter.REGION + "/publishers/google/models/" + ModelIds.pathSegment(model) + ":predict";
  }

  @Override
  public UpstreamCall toUpstream(EmbeddingsRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json");
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel), headers, codec.encodeRequest(request, UPSTREAM).toBuffer(), false);
  }

  @Override
  public EmbeddingsResponse fromUpstream(EmbeddingsRequest request, Buffer body) {
    return codec.decodeResponse(request, UpstreamJson.object(body, "Vertex embeddings response"));
  }
}
