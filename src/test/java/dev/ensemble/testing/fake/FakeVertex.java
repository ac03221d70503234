package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scriptable fake of Vertex AI's model endpoints on {@code 127.0.0.1}, port 0, for both publishers:
 * {@code POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:rawPredict} and
 * {@code :streamRawPredict} (Claude, Anthropic Messages bodies), and
 * {@code .../publishers/google/models/{model}:generateContent} and {@code :streamGenerateContent} (Gemini).
 * {@code .../publishers/google/models/{model}:predict} (text embeddings): {@link VertexPredictRoute}.
 * {@code .../publishers/google/models/{model}:countTokens}: Vertex's count of a prompt.
 * A thin Vertex layer in front of the {@link FakeUpstream}'s Anthropic route and the {@link FakeGemini}'s route.
 *
 * <p><b>Vertex layer</b>, checked before any script is consumed: {@code Authorization: Bearer <token>} with a token
 * the {@link FakeGoogleOAuth} issued and still holds valid (else 401 {@code UNAUTHENTICATED} in Google's error
 * format); for Claude, {@code "anthropic_version": "vertex-2023-10-16"} in the body, no {@code model} in it
 * (Vertex takes it from the path), and {@code "stream": true} exactly on {@code :streamRawPredict} (400 otherwise,
 * in Anthropic's format). The request then goes to the publisher's route as that API would receive it (the
 * model put back, the token as the key), which validates it and renders the answer.
 *
 * <p><b>Scripting.</b> One FIFO for both publishers: {@link Reply replies} (errors in the publisher's own
 * format: Anthropic's for Claude, Google's for Gemini), {@link GeminiReply}s, and {@link #enqueuePlatformError
 * platform errors} in Google's format for either publisher (Vertex's quota 429 {@code RESOURCE_EXHAUSTED}).
 */
public final class FakeVertex extends FakeServer<Object> {

  public static final String ANTHROPIC_VERSION = "vertex-2023-10-16";

  private static final java.util.Set<String> COUNT_FIELDS = java.util.Set.of("contents", "systemInstruction", "tools",
      "generationConfig", "model", "instances");
  private static final Pattern PATH = Pattern.compile(
      "/v1/projects/([^/]+)/locations/([^/]+)/publishers/(anthropic|google)/models/([^/:]+):(rawPredict|streamRawPredict|generateContent|streamGenerateContent|predict|countTokens)");

  /** A failure of Vertex itself, answered in Google's error format whatever the publisher. */
  private record PlatformError(int code, String status, String message) {}

  private final FakeGoogleOAuth oauth;
  private final AnthropicRoute anthropic = new AnthropicRoute(state());
  private final GeminiRoute google = new GeminiRoute(state());
  private final VertexPredictRoute predict = new VertexPredictRoute(google);

  private FakeVertex(Vertx vertx, FakeGoogleOAuth oauth) {
    super(vertx);
    this.oauth = oauth;
  }

  /** Starts a fake accepting the tokens {@code oauth} issues; its {@link #baseUrl} is an endpoint's {@code base_url}. */
  public static Future<FakeVertex> start(Vertx vertx, FakeGoogleOAuth oauth) {
    return listen(new FakeVertex(vertx, oauth), loopback());
  }

  public FakeVertex enqueue(Reply... replies) {
    script(List.of(replies));
    return this;
  }

  public FakeVertex enqueue(GeminiReply... replies) {
    script(List.of(replies));
    return this;
  }

  /** A failure of Vertex itself, e.g. {@code (429, "RESOURCE_EXHAUSTED", "Quota exceeded for ...")}. */
  public FakeVertex enqueuePlatformError(int code, String status, String message) {
    script(List.of(new PlatformError(code, status, message)));
    return this;
  }

  @Override
  protected void answer(HttpServerRequest request, RecordedRequest recordedRequest) {
    Matcher path = PATH.matcher(request.path());
    if (request.method() != HttpMethod.POST || !path.matches()) {
      play(request, GeminiRoute.error(404, "NOT_FOUND", "The requested URL " + request.path() + " was not found on this server.",
          new JsonArray()), null);
      return;
    }
    String token = OpenAiRoute.bearer(recordedRequest.header("authorization"));
    if (token == null || !oauth.isValid(token)) {
      play(request, GeminiRoute.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 "
          + "access token, login cookie or other valid authentication credential.", new JsonArray()), null);
      return;
    }
    String model = path.group(4);
    String method = path.group(5);
    if (method.equals("predict")) {
      GeminiEmbeddingsRoute.Answer answer = predict.answer(model, recordedRequest, token, () -> {
        Object scripted = nextReply();
        return scripted instanceof PlatformError e ? GeminiReply.error(e.code(), e.status(), e.message())
            : scripted instanceof Reply r ? GeminiReply.of(r) : (GeminiReply) scripted;
      });
      if (answer != null) {
        play(request, answer.rendered(), answer.timing());
      }
      return;
    }
    if (method.equals("countTokens") && "google".equals(path.group(3))) {
      countTokens(request, recordedRequest, token, model);
      return;
    }
    if ("anthropic".equals(path.group(3))) {
      claude(request, recordedRequest, token, model, method.equals("streamRawPredict"));
    } else {
      gemini(request, recordedRequest, token, model, method.equals("streamGenerateContent"));
    }
  }

  private void claude(HttpServerRequest request, RecordedRequest recordedRequest, String token, String model, boolean stream) {
    JsonObject body;
    try {
      body = recordedRequest.json();
    } catch (RuntimeException e) {
      play(request, anthropicError(400, "invalid_request_error", "request body is not a JSON object"), null);
      return;
    }
    String problem = null;
    if (!ANTHROPIC_VERSION.equals(body.getValue("anthropic_version"))) {
      problem = "anthropic_version: Input should be '" + ANTHROPIC_VERSION + "'";
    } else if (body.containsKey("model")) {
      problem = "model: Extra inputs are not permitted";
    } else if (stream != Boolean.TRUE.equals(body.getValue("stream"))) {
      problem = stream ? "stream: streamRawPredict needs \"stream\": true" : "stream: rawPredict does not stream";
    }
    if (problem != null) {
      play(request, anthropicError(400, "invalid_request_error", problem), null);
      return;
    }
    JsonObject messages = new JsonObject().put("model", model);
    for (Map.Entry<String, Object> field : body) {
      if (!"anthropic_version".equals(field.getKey())) {
        messages.put(field.getKey(), field.getValue());
      }
    }
    RecordedRequest asAnthropic = new RecordedRequest("POST", "/v1/messages", null, MultiMap.caseInsensitiveMultiMap()
        .set("x-api-key", token).set("anthropic-version", "2023-06-01").set("content-type", "application/json"), messages.toBuffer());
    Route.Admission admission = anthropic.admit(asAnthropic);
    if (admission.rejection() != null) {
      play(request, admission.rejection(), null);
      return;
    }
    Object scripted = nextReply();
    if (scripted instanceof PlatformError e) {
      play(request, GeminiRoute.error(e.code(), e.status(), e.message(), new JsonArray()), null);
      return;
    }
    Reply reply = scripted instanceof GeminiReply g ? g.reply : scripted instanceof Reply r ? r : anthropic.defaultReply(admission.body());
    if (reply.kind() == Reply.Kind.HANG) {
      return;
    }
    play(request, anthropic.render(admission, reply), reply);
  }

  private void gemini(HttpServerRequest request, RecordedRequest recordedRequest, String token, String model, boolean stream) {
    RecordedRequest asGemini = new RecordedRequest("POST", "/v1beta/models/" + model, recordedRequest.query(),
        MultiMap.caseInsensitiveMultiMap().set("x-goog-api-key", token).set("content-type", "application/json"), recordedRequest.body());
    GeminiRoute.Admission admission = google.admit(asGemini, null);
    if (admission.rejection() != null) {
      play(request, admission.rejection(), null);
      return;
    }
    Object scripted = nextReply();
    if (scripted instanceof PlatformError e) {
      play(request, GeminiRoute.error(e.code(), e.status(), e.message(), new JsonArray()), null);
      return;
    }
    GeminiReply reply = scripted instanceof GeminiReply g ? g : scripted instanceof Reply r ? GeminiReply.of(r)
        : GeminiReply.of(google.defaultReply(admission.body()));
    if (reply.reply.kind() == Reply.Kind.HANG) {
      return;
    }
    GeminiRoute.Call call = new GeminiRoute.Call(model, stream, stream && "sse".equals(request.getParam("alt")));
    play(request, google.render(call, admission, reply), reply.reply);
  }

  /**
   * Vertex's {@code CountTokensRequest}: {@code contents}, {@code systemInstruction}, {@code tools} and
   * {@code generationConfig} at the top level (also {@code model}, {@code instances}); anything else is the real
   * "Unknown name" 400. Answered {@code {totalTokens, totalBillableCharacters, promptTokensDetails}}.
   */
  private void countTokens(HttpServerRequest request, RecordedRequest recordedRequest, String token, String model) {
    JsonObject body;
    try {
      body = recordedRequest.json();
    } catch (RuntimeException e) {
      play(request, GeminiRoute.error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", new JsonArray()), null);
      return;
    }
    JsonObject generate = new JsonObject();
    for (String field : body.fieldNames()) {
      if (!COUNT_FIELDS.contains(field)) {
        play(request, GeminiRoute.error(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \"" + field
            + "\": Cannot find field.", new JsonArray()), null);
        return;
      }
      if (!field.equals("model") && !field.equals("instances")) {
        generate.put(field, body.getValue(field));
      }
    }
    String problem = GeminiRoute.validate(generate);
    if (problem != null) {
      play(request, GeminiRoute.error(400, "INVALID_ARGUMENT", problem, new JsonArray()), null);
      return;
    }
    Object scripted = nextReply();
    if (scripted instanceof PlatformError e) {
      play(request, GeminiRoute.error(e.code(), e.status(), e.message(), new JsonArray()), null);
      return;
    }
    int total = GeminiRoute.countedTokens(generate);
    int characters = GeminiRoute.canonicalPrompt(generate).length();
    play(request, Rendered.json(200, MultiMap.caseInsensitiveMultiMap(), new JsonObject().put("totalTokens", total)
        .put("totalBillableCharacters", characters)
        .put("promptTokensDetails", new JsonArray().add(new JsonObject().put("modality", "TEXT").put("tokenCount", total)))), null);
  }

  private static Rendered anthropicError(int status, String type, String message) {
    return Rendered.json(status, MultiMap.caseInsensitiveMultiMap(), new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", type).put("message", message)));
  }
}
