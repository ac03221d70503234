package dev.ensemble.providers.gemini;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.providers.EmbeddingsAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.gemini.GeminiEmbeddingsCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Embeddings from the Gemini API: {@code POST /v1beta/models/{model}:embedContent} for one text,
 * {@code :batchEmbedContents} for several (format: {@link GeminiEmbeddingsCodec}). Errors are Gemini's and are
 * classified by {@link GeminiAdapter}; the pool sets {@code x-goog-api-key}.
 */
public final class GeminiEmbeddings implements EmbeddingsAdapter {

  private static final String UPSTREAM = "Gemini (provider type gemini)";

  private final GeminiEmbeddingsCodec codec = new GeminiEmbeddingsCodec();

  /** The path of an embeddings call to {@code upstreamModel}, relative to the base URL. */
  public static String path(String upstreamModel, boolean batch) {
    return "/" + GeminiAdapter.API_VERSION + "/" + GeminiAdapter.resourcePath(upstreamModel) + (batch ? ":batchEmbedContents" : ":embedContent");
  }

  @Override
  public UpstreamCall toUpstream(EmbeddingsRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json");
    Buffer body = codec.encodeRequest(request, GeminiAdapter.resource(upstreamModel), UPSTREAM).toBuffer();
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel, GeminiEmbeddingsCodec.isBatch(request)), headers, body, false);
  }

  @Override
  public EmbeddingsResponse fromUpstream(EmbeddingsRequest request, Buffer body) {
    return codec.decodeResponse(request, UpstreamJson.object(body, "Gemini embeddings response"));
  }
}
