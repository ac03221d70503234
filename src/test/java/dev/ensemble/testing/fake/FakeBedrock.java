package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scriptable fake of the Amazon Bedrock runtime for Claude, on {@code 127.0.0.1}, port 0, HTTP/1.1 and h2c (the
 * AWS SDK's async client speaks HTTP/2 with prior knowledge to {@code http://}). Written from Bedrock's public
 * REST description:
 * <ul>
 *   <li>{@code POST /model/{modelId}/invoke}: the Anthropic Messages answer as JSON;</li>
 *   <li>{@code POST /model/{modelId}/invoke-with-response-stream}: {@code application/vnd.amazon.eventstream}, one
 *       {@code chunk} event per Anthropic stream event (no pings), its payload {@code {"bytes":"<base64 JSON>"}},
 *       {@code message_stop} carrying {@code amazon-bedrock-invocationMetrics}; a scripted mid-stream error becomes
 *       an exception message ({@code :message-type exception}, {@code :exception-type} the member name, e.g.
 *       {@code modelStreamErrorException});</li>
 *   <li>errors as Bedrock's REST errors: the status, {@code x-amzn-ErrorType: <Name>:<namespace>} and
 *       {@code {"message": ...}}.</li>
 * </ul>
 * Admission: a SigV4 {@code Authorization} header naming the access key and
 * a {@code <date>/<region>/bedrock/aws4_request} scope (the signature itself is not checked; 403
 * {@code MissingAuthenticationTokenException} / {@code UnrecognizedClientException}), or a Bedrock API key as
 * {@code Authorization: Bearer} ({@link #acceptApiKeys}; else 403 {@code AccessDeniedException}), then the Bedrock body rules
 * ({@code anthropic_version: bedrock-2023-05-31}, no {@code model}, {@code stream} or {@code metadata}: 400
 * {@code ValidationException}), then the {@link FakeUpstream}'s Anthropic validation, token counts and prompt-cache
 * simulation, keyed by the access key id. {@link Reply} scripts work as on the Anthropic route; {@link
 * Reply#error} takes a Bedrock exception name as its type (e.g. {@code ThrottlingException}), and
 * {@link Reply#cutAfterEvents} counts Bedrock messages.
 */
public final class FakeBedrock extends FakeServer<Reply> {

  public static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";
  private static final Pattern PATH = Pattern.compile("/model/([^/]+)/(invoke|invoke-with-response-stream)");
  private static final Pattern CREDENTIAL = Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request,.*Signature=[0-9a-f]+.*");
  private static final String NAMESPACE = ":http://internal.amazon.com/coral/com.amazon.bedrock/";
  private static final Set<String> NOT_PERMITTED = Set.of("model", "stream", "metadata");

  private final AnthropicRoute anthropic = new AnthropicRoute(state());
  private final Set<String> apiKeys = ConcurrentHashMap.newKeySet();

  private FakeBedrock(Vertx vertx) {
    super(vertx);
  }

  /** Starts a fake on {@code 127.0.0.1} on a free port; its {@link #baseUrl} is the endpoint override. */
  public static Future<FakeBedrock> start(Vertx vertx) {
    return listen(new FakeBedrock(vertx), loopback().setHttp2ClearTextEnabled(true));
  }

  public FakeBedrock enqueue(Reply... replies) {
    script(List.of(replies));
    return this;
  }

  /** Only these access key ids are valid from now on. */
  public FakeBedrock acceptKeys(String... accessKeyIds) {
    state().acceptKeys(Set.of(accessKeyIds));
    return this;
  }

  /**
   * Accepts these Bedrock API keys ({@code Authorization: Bearer <key>}) from now on, until {@link #reset}. Any other
   * bearer token gets Bedrock's 403 {@code AccessDeniedException}, its {@code {"Message": ...}} naming a key without
   * the {@code ABSK} / {@code bedrock-api-key-} prefix or one it does not know.
   */
  public FakeBedrock acceptApiKeys(String... keys) {
    apiKeys.addAll(List.of(keys));
    return this;
  }

  @Override
  public void reset() {
    apiKeys.clear();
    super.reset();
  }

  /** The region of a recorded request's SigV4 credential scope, or null when it was not signed. */
  public static String signedRegion(RecordedRequest request) {
    Matcher m = credential(request);
    return m == null ? null : m.group(3);
  }

  /** The access key id a recorded request was signed with, or null. */
  public static String signedAccessKey(RecordedRequest request) {
    Matcher m = credential(request);
    return m == null ? null : m.group(1);
  }

  /** The Bedrock API key a recorded request carried as {@code Authorization: Bearer}, or null. */
  public static String bearerToken(RecordedRequest request) {
    String authorization = request.header("authorization");
    return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring("Bearer ".length()) : null;
  }

  /** The model id of a recorded request's path, percent-decoded. */
  public static String modelId(RecordedRequest request) {
    Matcher m = PATH.matcher(request.path());
    return m.matches() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
  }

  private static Matcher credential(RecordedRequest request) {
    String authorization = request.header("authorization");
    if (authorization == null) {
      return null;
    }
    Matcher m = CREDENTIAL.matcher(authorization);
    return m.matches() ? m : null;
  }

  @Override
  protected void answer(HttpServerRequest request, RecordedRequest recordedRequest) {
    Matcher path = PATH.matcher(request.path());
    if (request.method() != HttpMethod.POST || !path.matches()) {
      play(request, error(404, "UnknownOperationException", null), null);
      return;
    }
    String accessKey = bearerToken(recordedRequest);
    if (accessKey != null) {
      String problem = !accessKey.startsWith("ABSK") && !accessKey.startsWith("bedrock-api-key-")
          ? "Invalid API Key format: Must start with pre-defined prefix"
          : apiKeys.contains(accessKey) ? null : "Authentication failed: Please make sure your API Key is valid.";
      if (problem != null) {
        play(request, apiKeyError(problem), null);
        return;
      }
    } else {
      Matcher scope = credential(recordedRequest);
      if (scope == null || !"bedrock".equals(scope.group(4))) {
        play(request, error(403, "MissingAuthenticationTokenException", "Missing Authentication Token"), null);
        return;
      }
      accessKey = scope.group(1);
      if (!state().accepts(accessKey)) {
        play(request, error(403, "UnrecognizedClientException", "The security token included in the request is invalid."), null);
        return;
      }
    }
    String modelId = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
    boolean stream = "invoke-with-response-stream".equals(path.group(2));
    JsonObject body;
    try {
      body = recordedRequest.json();
    } catch (RuntimeException e) {
      play(request, error(400, "ValidationException", "Malformed input request, please reformat your input and try again."), null);
      return;
    }
    String problem = bedrockProblem(body);
    if (problem != null) {
      play(request, error(400, "ValidationException", problem), null);
      return;
    }
    JsonObject anthropicBody = body.copy();
    anthropicBody.remove("anthropic_version");
    anthropicBody.put("model", modelId);
    if (stream) {
      anthropicBody.put("stream", true);
    }
    RecordedRequest asAnthropic = new RecordedRequest("POST", "/v1/messages", null, MultiMap.caseInsensitiveMultiMap()
        .add("x-api-key", accessKey).add("anthropic-version", "2023-06-01"), anthropicBody.toBuffer());
    Route.Admission admission = anthropic.admit(asAnthropic);
    if (admission.rejection() != null) {
      String message = new JsonObject(admission.rejection().body()).getJsonObject("error").getString("message");
      play(request, error(400, "ValidationException", message), null);
      return;
    }
    Reply reply = nextReply();
    if (reply == null) {
      reply = anthropic.defaultReply(admission.body());
    }
    switch (reply.kind()) {
      case HANG:
        return;
      case ERROR:
        play(request, error(reply.status, reply.errorType, reply.errorMessage), reply);
        return;
      case RAW:
        play(request, Rendered.raw(reply.status, MultiMap.caseInsensitiveMultiMap(), reply.rawContentType, reply.rawBody), reply);
        return;
      default:
        play(request, bedrock(anthropic.render(admission, reply)), reply);
    }
  }

  private static String bedrockProblem(JsonObject body) {
    Object version = body.getValue("anthropic_version");
    if (!(version instanceof String)) {
      return "Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.";
    }
    if (!ANTHROPIC_VERSION.equals(version)) {
      return "Invalid API version: " + version;
    }
    for (String key : body.fieldNames()) {
      if (NOT_PERMITTED.contains(key)) {
        return "Malformed input request: #: extraneous key [" + key + "] is not permitted, please reformat your input and try again.";
      }
    }
    return null;
  }

  /** The Anthropic rendering as Bedrock sends it: the same JSON, or its SSE events as event stream messages. */
  private Rendered bedrock(Rendered anthropicAnswer) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("x-amzn-RequestId", requestId());
    if (!anthropicAnswer.streamed()) {
      JsonObject message = new JsonObject(anthropicAnswer.body());
      JsonObject usage = message.getJsonObject("usage", new JsonObject());
      headers.set("X-Amzn-Bedrock-Input-Token-Count", String.valueOf(usage.getInteger("input_tokens", 0)))
          .set("X-Amzn-Bedrock-Output-Token-Count", String.valueOf(usage.getInteger("output_tokens", 0)))
          .set("X-Amzn-Bedrock-Invocation-Latency", "1");
      return Rendered.json(200, headers, message);
    }
    List<Buffer> messages = new ArrayList<>();
    int inputTokens = 0;
    int outputTokens = 0;
    for (Buffer frame : anthropicAnswer.events()) {
      String[] sse = sse(frame.toString(StandardCharsets.UTF_8));
      if ("ping".equals(sse[0])) {
        continue;
      }
      JsonObject event = new JsonObject(sse[1]);
      switch (sse[0]) {
        case "message_start":
          inputTokens = event.getJsonObject("message").getJsonObject("usage").getInteger("input_tokens", 0);
          break;
        case "message_delta":
          outputTokens = event.getJsonObject("usage").getInteger("output_tokens", 0);
          break;
        case "message_stop":
          event.put("amazon-bedrock-invocationMetrics", new JsonObject().put("inputTokenCount", inputTokens)
              .put("outputTokenCount", outputTokens).put("invocationLatency", 1).put("firstByteLatency", 1));
          break;
        case "error":
          JsonObject error = event.getJsonObject("error");
          messages.add(EventStreamFrames.exception(memberName(error.getString("type")), error.getString("message")));
          continue;
        default:
          break;
      }
      messages.add(EventStreamFrames.chunk(event.encode()));
    }
    headers.set("content-type", "application/vnd.amazon.eventstream")
        .set("X-Amzn-Bedrock-Content-Type", "application/json");
    return new Rendered(200, headers, null, messages);
  }

  /** {@code ModelStreamErrorException} -> {@code modelStreamErrorException}. */
  private static String memberName(String exceptionName) {
    if (exceptionName == null || exceptionName.isEmpty()) {
      return "internalServerException";
    }
    return Character.toLowerCase(exceptionName.charAt(0)) + exceptionName.substring(1);
  }

  /** {event, data} of one SSE frame. */
  private static String[] sse(String frame) {
    String event = null;
    StringBuilder data = new StringBuilder();
    for (String line : frame.split("\n")) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }
    return new String[] {event, data.toString()};
  }

  private Rendered error(int status, String name, String message) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set("x-amzn-RequestId", requestId())
        .set("x-amzn-ErrorType", name + NAMESPACE);
    return Rendered.json(status, headers, new JsonObject().put("message", message));
  }

  /** Bedrock's refusal of a bearer token: 403 {@code AccessDeniedException} with {@code {"Message": ...}}. */
  private Rendered apiKeyError(String message) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set("x-amzn-RequestId", requestId())
        .set("x-amzn-ErrorType", "AccessDeniedException" + NAMESPACE);
    return Rendered.json(403, headers, new JsonObject().put("Message", message));
  }

  private String requestId() {
    return String.format("00000000-0000-4000-8000-%012d", state().nextSequence());
  }
}
