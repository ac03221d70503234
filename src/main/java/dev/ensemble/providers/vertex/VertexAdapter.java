package dev.ensemble.providers.vertex;

import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.providers.ModelIds;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicErrors;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import dev.ensemble.wire.anthropic.AnthropicResponseCodec;
import dev.ensemble.wire.gemini.GeminiErrors;
import dev.ensemble.wire.gemini.GeminiRequestCodec;
import dev.ensemble.wire.gemini.GeminiResponseCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Google Cloud Vertex AI as an upstream, for both publishers it serves, chosen by the upstream model id
 * ({@link VertexPublisher}):
 * <ul>
 *   <li>Claude ({@code claude-sonnet-4-5@20250929}): {@code POST .../publishers/anthropic/models/{model}:rawPredict}
 *       ({@code :streamRawPredict} for SSE) with the Anthropic Messages body minus {@code model} plus
 *       {@code "anthropic_version": "vertex-2023-10-16"}; answers, streams and errors are Anthropic's.</li>
 *   <li>Gemini ({@code gemini-2.5-flash}): {@code POST .../publishers/google/models/{model}:generateContent}
 *       ({@code :streamGenerateContent?alt=sse}) with the Gemini API body; answers and streams are Gemini's.</li>
 * </ul>
 * Paths start {@code /v1/projects/{project}/locations/{region}/}: the placeholders {@link #PROJECT} and
 * {@link #REGION} are filled per endpoint by {@link GoogleOAuthAuth}, which knows the endpoint's location and the
 * service account's project. Vertex's own failures (quota, authentication) come in Google's error format for both
 * publishers, the model's own (overloaded) in Anthropic's for Claude: {@link #classify} reads whichever arrived.
 * Since answers are decoded without the model at hand, they are recognised by shape: an Anthropic body or event
 * carries a {@code type}, a Gemini one never does.
 */
public final class VertexAdapter implements ProviderAdapter {

  public static final String ANTHROPIC_VERSION = "vertex-2023-10-16";
  public static final String PROJECT = "{project}";
  public static final String REGION = "{region}";
  /** Vertex model ids: Google's ({@code gemini-2.5-flash}, optionally {@code models/...}) and Claude's ({@code claude-sonnet-4-5@20250929}). */
  static final ModelIds IDS = new ModelIds(Pattern.compile("(models/)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[A-Za-z0-9._-]{1,64})?"),
      "letters, digits, '.', '_' and '-', optionally @version");
  private static final String LOCATION = "/v1/projects/" + PROJECT + "/locations/" + REGION;

  private final AnthropicRequestCodec anthropicRequests = new AnthropicRequestCodec();
  private final AnthropicResponseCodec anthropicResponses = new AnthropicResponseCodec();
  private final AnthropicErrors anthropicErrors = new AnthropicErrors();
  private final GeminiRequestCodec geminiRequests = new GeminiRequestCodec();
  private final GeminiResponseCodec geminiResponses = new GeminiResponseCodec();
  private final GeminiErrors googleErrors = new GeminiErrors();

  /** The path of a call to {@code upstreamModel}, with the {@link #PROJECT} and {@link #REGION} placeholders. */
  public static String path(String upstreamModel, boolean stream) {
    VertexPublisher publisher = VertexPublisher.of(upstreamModel);
    String model = upstreamModel.startsWith("models/") ? upstreamModel.substring("models/".length()) : upstreamModel;
    String method = switch (publisher) {
      case ANTHROPIC -> stream ? ":streamRawPredict" : ":rawPredict";
      case GOOGLE -> stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
    };
    return LOCATION + "/publishers/" + publisher.id() + "/models/" + ModelIds.pathSegment(model) + method;
  }

  @Override
  public ModelIds modelIds() {
    return IDS;
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    Buffer body = switch (VertexPublisher.of(upstreamModel)) {
      case ANTHROPIC -> anthropicBody(request, upstreamModel).toBuffer();
      case GOOGLE -> geminiRequests.encode(request, upstreamModel).toBuffer();
    };
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json")
        .add("accept", request.stream() ? "text/event-stream" : "application/json");
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel, request.stream()), headers, body, request.stream());
  }

  private JsonObject anthropicBody(UnifiedRequest request, String upstreamModel) {
    JsonObject body = new JsonObject().put("anthropic_version", ANTHROPIC_VERSION);
    for (Map.Entry<String, Object> field : anthropicRequests.encode(request, upstreamModel)) {
      if (!"model".equals(field.getKey())) {
        body.put(field.getKey(), field.getValue());
      }
    }
    return body;
  }

  @Override
  public UnifiedResponse fromUpstream(Buffer body) {
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (RuntimeException e) {
      throw new UpstreamProtocolException("Vertex response body is not JSON", e);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new UpstreamProtocolException("Vertex response body is not a JSON object");
    }
    return json.containsKey("type") ? anthropicResponses.decode(json) : geminiResponses.decode(json);
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new VertexStreamDecoder();
  }

  @Override
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    return isAnthropicError(body) ? anthropicErrors.classify(status, headers, body) : googleErrors.classify(status, headers, body);
  }

  private static boolean isAnthropicError(Buffer body) {
    if (body == null || body.length() == 0) {
      return false;
    }
    try {
      return Json.decodeValue(body) instanceof JsonObject json && "error".equals(json.getValue("type"));
    } catch (RuntimeException notJson) {
      return false;
    }
  }
}
