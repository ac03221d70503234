package dev.ensemble.providers.anthropic;

import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicErrors;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import dev.ensemble.wire.anthropic.AnthropicResponseCodec;
import dev.ensemble.wire.anthropic.AnthropicStreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * The Anthropic Messages API as an upstream: {@code POST /v1/messages} under a base URL without {@code /v1}
 * (e.g. {@code https://api.anthropic.com}). Adds no credentials; the pool sets {@code x-api-key}.
 */
public final class AnthropicAdapter implements ProviderAdapter {

  /** The API version every request is sent with. */
  public static final String API_VERSION = "2023-06-01";
  public static final String PATH = "/v1/messages";

  private final AnthropicRequestCodec requests = new AnthropicRequestCodec();
  private final AnthropicResponseCodec responses = new AnthropicResponseCodec();
  private final AnthropicErrors errors;

  public AnthropicAdapter() {
    this(new AnthropicErrors());
  }

  public AnthropicAdapter(AnthropicErrors errors) {
    this.errors = errors;
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    Buffer body = requests.encode(request, upstreamModel).toBuffer();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json")
        .add("anthropic-version", API_VERSION)
        .add("accept", request.stream() ? "text/event-stream" : "application/json");
    return new UpstreamCall(HttpMethod.POST, PATH, headers, body, request.stream());
  }

  @Override
  public UnifiedResponse fromUpstream(Buffer body) {
    UnifiedResponse read = responses.decode(body);
    return read != null ? read : responses.decode(UpstreamJson.object(body, "response"));
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new AnthropicStreamDecoder();
  }

  @Override
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    return errors.classify(status, headers, body);
  }

  @Override
  public Long exhaustedForMillis(MultiMap headers) {
    return errors.exhaustedForMillis(headers);
  }
}
