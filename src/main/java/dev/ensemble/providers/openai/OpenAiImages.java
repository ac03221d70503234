package dev.ensemble.providers.openai;

import dev.ensemble.model.ImagesRequest;
import dev.ensemble.model.ImagesResponse;
import dev.ensemble.providers.ImagesAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.openai.OpenAiImagesCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** {@code POST <base_url>/images/generations} of OpenAI and the compatible family, with the profile's extra headers. */
public final class OpenAiImages implements ImagesAdapter {

  private final OpenAiImagesCodec codec = new OpenAiImagesCodec();
  private final OpenAiProfile profile;

  public OpenAiImages(OpenAiProfile profile) {
    this.profile = profile;
  }

  @Override
  public UpstreamCall toUpstream(ImagesRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json");
    profile.headers().forEach(headers::add);
    return new UpstreamCall(HttpMethod.POST, "/images/generations", headers, codec.encodeRequest(request, upstreamModel).toBuffer(), false);
  }

  @Override
  public ImagesResponse fromUpstream(Buffer body) {
    return codec.decodeResponse(UpstreamJson.object(body, "OpenAI images response"));
  }
}
