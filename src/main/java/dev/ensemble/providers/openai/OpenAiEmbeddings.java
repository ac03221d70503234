package dev.ensemble.providers.openai;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.providers.EmbeddingsAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** {@code POST <base_url>/embeddings} of OpenAI and the compatible family, with the profile's extra headers. */
public final class OpenAiEmbeddings implements EmbeddingsAdapter {

  private final OpenAiEmbeddingsCodec codec = new OpenAiEmbeddingsCodec();
  private final OpenAiProfile profile;

  public OpenAiEmbeddings(OpenAiProfile profile) {
    this.profile = profile;
  }

  @Override
  public UpstreamCall toUpstream(EmbeddingsRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json");
    profile.headers().forEach(headers::add);
    return new UpstreamCall(HttpMethod.POST, "/embeddings", headers, codec.encodeRequest(request, upstreamModel).toBuffer(), false);
  }

  @Override
  public EmbeddingsResponse fromUpstream(EmbeddingsRequest request, Buffer body) {
    return codec.decodeResponse(UpstreamJson.object(body, "OpenAI embeddings response"));
  }
}
