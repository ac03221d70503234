package dev.ensemble.providers.openai;

import dev.ensemble.model.Passthrough;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.openai.OpenAiErrors;
import dev.ensemble.wire.openai.OpenAiRequestCodec;
import dev.ensemble.wire.openai.OpenAiResponseCodec;
import dev.ensemble.wire.openai.OpenAiStreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Clock;

/**
 * Upstreams that speak OpenAI Chat Completions ({@code POST <base_url>/chat/completions}, base URL ending in
 * {@code /v1}): OpenAI and the compatible family, each shaped by its {@link OpenAiProfile}. Streams ask for the
 * usage chunk where the profile allows it. What only OpenAI's Responses API serves goes there instead
 * ({@link #passthrough}). Authentication and configured headers are added by the pool, not here.
 */
public final class OpenAiAdapter implements ProviderAdapter {

  private final OpenAiRequestCodec requests = new OpenAiRequestCodec();
  private final OpenAiResponseCodec responses = new OpenAiResponseCodec();
  private final OpenAiErrors errors;
  private final OpenAiProfile profile;
  private final JsonObject providerPreferences;
  private final ProviderAdapter responsesApi;

  /** OpenAI itself. */
  public OpenAiAdapter() {
    this(Clock.systemUTC());
  }

  /** OpenAI itself, with the clock used to read HTTP-date {@code retry-after} headers. */
  public OpenAiAdapter(Clock clock) {
    this(OpenAiProfile.OPENAI, null, clock);
  }

  /** A member of the family; {@code providerPreferences} is OpenRouter's {@code provider} object (or null). */
  public OpenAiAdapter(OpenAiProfile profile, JsonObject providerPreferences) {
    this(profile, providerPreferences, Clock.systemUTC());
  }

  public OpenAiAdapter(OpenAiProfile profile, JsonObject providerPreferences, Clock clock) {
    this.profile = profile;
    this.providerPreferences = providerPreferences == null ? null : providerPreferences.copy();
    this.errors = new OpenAiErrors(clock);
    this.responsesApi = new OpenAiResponsesAdapter(profile, errors);
  }

  public OpenAiProfile profile() {
    return profile;
  }

  /** The Responses API, where the profile's upstream serves it ({@link OpenAiProfile#responsesApi()}). */
  @Override
  public ProviderAdapter passthrough(Passthrough passthrough) {
    return profile.responsesApi() && "responses".equals(passthrough.format()) ? responsesApi : null;
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json")
        .add("accept", request.stream() ? "text/event-stream" : "application/json");
    profile.headers().forEach(headers::add);
    Buffer body = requests.upstreamBody(request, upstreamModel, profile.options(upstreamModel, providerPreferences));
    return new UpstreamCall(HttpMethod.POST, "/chat/completions", headers, body, request.stream());
  }

  @Override
  public UnifiedResponse fromUpstream(Buffer body) {
    UnifiedResponse read = responses.decode(body);
    return read != null ? read : responses.decode(UpstreamJson.object(body, "OpenAI response"));
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new OpenAiStreamDecoder();
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
