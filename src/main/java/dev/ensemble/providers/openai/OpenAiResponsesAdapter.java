package dev.ensemble.providers.openai;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.openai.OpenAiErrors;
import dev.ensemble.wire.responses.ResponsesStreamDecoder;
import dev.ensemble.wire.responses.UpstreamResponses;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * OpenAI's Responses API upstream ({@code POST <base_url>/responses}), for requests a Responses client sent with what
 * only that API serves ({@link dev.ensemble.model.Passthrough}): the client's body goes as is but for the model id,
 * the answer comes back as is (the unified answer beside it is for accounting). Errors are classified as for Chat
 * Completions: the same API family, the same error bodies and rate-limit headers.
 */
final class OpenAiResponsesAdapter implements ProviderAdapter {

  private final OpenAiProfile profile;
  private final OpenAiErrors errors;

  OpenAiResponsesAdapter(OpenAiProfile profile, OpenAiErrors errors) {
    this.profile = profile;
    this.errors = errors;
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    if (request.passthrough() == null) {
      throw GatewayError.invalid(null, "only Responses API requests go to the Responses API upstream");
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json")
        .add("accept", request.stream() ? "text/event-stream" : "application/json");
    profile.headers().forEach(headers::add);
    Buffer body = UpstreamResponses.request(request.passthrough(), upstreamModel, request.stream()).toBuffer();
    return new UpstreamCall(HttpMethod.POST, UpstreamResponses.PATH, headers, body, request.stream());
  }

  @Override
  public UnifiedResponse fromUpstream(Buffer body) {
    return UpstreamResponses.decode(UpstreamJson.object(body, "OpenAI Responses API response"));
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new ResponsesStreamDecoder();
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
