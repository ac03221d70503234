package dev.ensemble.wire.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.List;

/**
 * Google's Gemini API as clients (the Google GenAI SDKs) speak it: {@code POST
 * /v1beta/models/{model}:generateContent} (or {@code /v1/models/...}, the version the Java SDK picks), and {@code :streamGenerateContent} ({@code ?alt=sse} for SSE, else
 * one JSON array streamed element by element), and {@code :countTokens}. The gateway key comes in {@code x-goog-api-key} or {@code ?key=}
 * (or {@code Authorization: Bearer}); errors are Google's. Thought parts are shown only to a client that asked for
 * them ({@code thinkingConfig.includeThoughts}), as Gemini does. On the WebSocket the body names the model
 * ({@code "model": "models/<name>"} or {@code "<name>"}). Stateless and thread-safe.
 */
public final class GeminiClientDialect implements ClientDialect {

  private static final String PREFIX = "/v1beta/";
  private static final String V1_MODELS = "/v1/models/";

  private static final String COUNT_TOKENS = ":countTokens";

  private final ClientRequestDecoder requests = new ClientRequestDecoder();
  private final ClientResponses responses = new ClientResponses();
  private final GenerateContentWriter writer = new GenerateContentWriter();
  private final GeminiTokenCountCodec tokenCounts = new GeminiTokenCountCodec();

  @Override
  public String name() {
    return "gemini";
  }

  @Override
  public List<String> chatPaths() {
    return List.of("/v1beta/models/:call", "/v1/models/:call");
  }

  /** Everything under {@code /v1beta/}, and Gemini's {@code /v1/models/{model}:{method}} (a colon after the model). */
  @Override
  public boolean owns(String path) {
    return path.startsWith(PREFIX) || path.startsWith(V1_MODELS) && path.indexOf(':', V1_MODELS.length()) > 0;
  }

  @Override
  public String keyHint() {
    return "x-goog-api-key: <key> or ?key=<key>";
  }

  @Override
  public String presentedKey(MultiMap headers, MultiMap params) {
    String key = ClientDialect.header(headers, "x-goog-api-key");
    if (key == null) {
      key = params.get("key") == null || params.get("key").isBlank() ? null : params.get("key").trim();
    }
    return key != null ? key : ClientDialect.bearer(headers);
  }

  /** A body on the WebSocket, which names its model; answers are streamed. */
  @Override
  public UnifiedRequest decodeRequest(JsonObject body) {
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw GatewayError.invalid("model", "is required: name the model, e.g. \"models/gemini-2.5-flash\"");
    }
    return requests.decode(body, model.startsWith("models/") ? model.substring(7) : model, true);
  }

  /** {@code {model}:generateContent} or {@code :streamGenerateContent} from the path; {@code alt=sse} from the query. */
  @Override
  public ClientCall decode(JsonObject body, MultiMap params) {
    String call = params.get("call");
    if (call == null) {
      return ClientCall.of(decodeRequest(body));
    }
    int colon = call.lastIndexOf(':');
    String model = colon <= 0 ? "" : call.substring(0, colon);
    String method = colon < 0 ? "" : call.substring(colon + 1);
    boolean stream = switch (method) {
      case "generateContent" -> false;
      case "streamGenerateContent" -> true;
      default -> throw new GatewayError(ErrorType.NOT_FOUND, 404, "The gateway serves models/{model}:generateContent, "
          + ":streamGenerateContent and :countTokens, not '" + call + "'", false, null, null);
    };
    if (model.isEmpty()) {
      throw GatewayError.invalid("model", "the path must name a model: /v1beta/models/{model}:" + method);
    }
    UnifiedRequest request = requests.decode(body, model, stream);
    return new ClientCall(request, null, null, true, new JsonObject().put("sse", "sse".equals(params.get("alt")))
        .put("thoughts", ClientRequestDecoder.includesThoughts(body)));
  }

  /** {@code /v1beta/models/{model}:countTokens} (and {@code /v1/...}); the group {@code call} is {@code {model}:countTokens}. */
  @Override
  public String tokenCountPathRegex() {
    return "/v1(?:beta)?/models/(?<call>[^/]+" + COUNT_TOKENS + ")";
  }

  /**
   * A {@code CountTokensRequest}: either {@code contents} alone, or a whole {@code generateContentRequest}
   * (system instruction, tools and generation config counted too), never both, as the real API demands.
   */
  @Override
  public UnifiedRequest decodeTokenCount(JsonObject body, MultiMap params) {
    String call = params.get("call");
    String model = call == null || !call.endsWith(COUNT_TOKENS) ? "" : call.substring(0, call.length() - COUNT_TOKENS.length());
    if (model.isEmpty()) {
      throw GatewayError.invalid("model", "the path must name a model: /v1beta/models/{model}:countTokens");
    }
    return requests.decodeTokenCount(body, model);
  }

  @Override
  public JsonObject encodeTokenCount(TokenCount count) {
    return tokenCounts.encodeResponse(count);
  }

  @Override
  public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
    return responses.response(response, context, context.echo().getBoolean("thoughts", false));
  }

  @Override
  public void writeResponse(UnifiedResponse response, ResponseContext context, JsonGenerator g) throws IOException {
    writer.write(response, context, context.echo().getBoolean("thoughts", false), g);
  }

  @Override
  public StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context) {
    return new ClientStreamEncoder(context, context.echo().getBoolean("sse", true), context.echo().getBoolean("thoughts", false));
  }

  @Override
  public JsonObject encodeError(GatewayError error) {
    return ClientResponses.error(error);
  }
}
