package dev.ensemble.providers.gemini;

import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.providers.TokenCountAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.gemini.GeminiTokenCountCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Token counts from the Gemini API: {@code POST /v1beta/models/{model}:countTokens} with the whole
 * {@code generateContentRequest} (format: {@link GeminiTokenCountCodec}), which Google does not bill. Errors are
 * Gemini's and are classified by {@link GeminiAdapter}; the pool sets {@code x-goog-api-key}.
 */
public final class GeminiTokenCounts implements TokenCountAdapter {

  private final GeminiTokenCountCodec codec = new GeminiTokenCountCodec();

  /** The path of a count at {@code upstreamModel}, relative to the base URL. */
  public static String path(String upstreamModel) {
    return "/" + GeminiAdapter.API_VERSION + "/" + GeminiAdapter.resourcePath(upstreamModel) + ":countTokens";
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json");
    Buffer body = codec.encodeGeminiRequest(request, upstreamModel, GeminiAdapter.resource(upstreamModel)).toBuffer();
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel), headers, body, false);
  }

  @Override
  public TokenCount fromUpstream(Buffer body) {
    return codec.decodeResponse(UpstreamJson.object(body, "Gemini countTokens"));
  }
}
