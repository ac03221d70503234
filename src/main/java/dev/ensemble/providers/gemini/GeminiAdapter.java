package dev.ensemble.providers.gemini;

import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.ModelIds;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamJson;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.gemini.GeminiErrors;
import dev.ensemble.wire.gemini.GeminiRequestCodec;
import dev.ensemble.wire.gemini.GeminiResponseCodec;
import dev.ensemble.wire.gemini.GeminiStreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.util.regex.Pattern;


/**
 * The Gemini API (Google AI Studio) as an upstream: {@code POST /v1beta/models/{model}:generateContent}, and
 * {@code :streamGenerateContent?alt=sse} for streams, under a base URL without a version
 * ({@code https://generativelanguage.googleapis.com}). An upstream model id that already names a resource
 * ({@code models/...}, {@code tunedModels/...}) is used as is. Adds no credentials; the pool sets
 * {@code x-goog-api-key}.
 *
 * <p>A prompt Gemini blocks ({@code promptFeedback.blockReason}) is a 400 to the client, streamed or not.
 */
public final class GeminiAdapter implements ProviderAdapter {

  public static final String API_VERSION = "v1beta";
  /** Gemini model ids ({@code gemini-2.5-flash}), optionally as resource names ({@code models/...}, {@code tunedModels/...}). */
  static final ModelIds IDS = new ModelIds(Pattern.compile("(models/|tunedModels/)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}"),
      "letters, digits, '.', '_' and '-', optionally after models/ or tunedModels/");

  private final GeminiRequestCodec requests = new GeminiRequestCodec();
  private final GeminiResponseCodec responses = new GeminiResponseCodec();
  private final GeminiErrors errors;

  public GeminiAdapter() {
    this(new GeminiErrors());
  }

  public GeminiAdapter(GeminiErrors errors) {
    this.errors = errors;
  }

  /** The path of a call to {@code upstreamModel}, relative to the base URL. */
  public static String path(String upstreamModel, boolean stream) {
    return "/" + API_VERSION + "/" + resourcePath(upstreamModel) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  }

  /** The model's resource name: {@code models/{model}}, or the id itself when it already names one. */
  public static String resource(String upstreamModel) {
    return upstreamModel.startsWith("models/") || upstreamModel.startsWith("tunedModels/") ? upstreamModel : "models/" + upstreamModel;
  }

  /** {@link #resource}, its collection and id each percent-encoded as a path segment. */
  static String resourcePath(String upstreamModel) {
    String resource = resource(upstreamModel);
    int slash = resource.indexOf('/');
    return resource.substring(0, slash + 1) + ModelIds.pathSegment(resource.substring(slash + 1));
  }

  @Override
  public ModelIds modelIds() {
    return IDS;
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json")
        .add("accept", request.stream() ? "text/event-stream" : "application/json");
    Buffer body = requests.encode(request, upstreamModel).toBuffer();
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel, request.stream()), headers, body, request.stream());
  }

  @Override
  public UnifiedResponse fromUpstream(Buffer body) {
    return responses.decode(UpstreamJson.object(body, "Gemini response"));
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new GeminiStreamDecoder();
  }

  @Override
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    return errors.classify(status, headers, body);
  }
}
