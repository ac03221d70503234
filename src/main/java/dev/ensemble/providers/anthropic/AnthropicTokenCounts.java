package dev.ensemble.providers.anthropic;

import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.providers.TokenCountAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.anthropic.AnthropicTokenCountCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Token counts from Anthropic's {@code POST /v1/messages/count_tokens} (format: {@link AnthropicTokenCountCodec}),
 * free of charge and rate limited apart from messages by Anthropic. Errors are Anthropic's and are classified by
 * {@link AnthropicAdapter}; the pool sets {@code x-api-key}.
 */
public final class AnthropicTokenCounts implements TokenCountAdapter {

  public static final String PATH = AnthropicAdapter.PATH + "/count_tokens";

  private final AnthropicTokenCountCodec codec = new AnthropicTokenCountCodec();

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json")
        .add("anthropic-version", AnthropicAdapter.API_VERSION).add("accept", "application/json");
    return new UpstreamCall(HttpMethod.POST, PATH, headers, codec.encodeRequest(request, upstreamModel).toBuffer(), false);
  }

  @Override
  public TokenCount fromUpstream(Buffer body) {
    return codec.decodeResponse(UpstreamJson.object(body, "Anthropic count_tokens"));
  }
}
