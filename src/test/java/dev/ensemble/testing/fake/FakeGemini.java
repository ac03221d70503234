package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scriptable fake of the Gemini API on {@code 127.0.0.1}, port 0: {@code POST
 * /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent} ({@code ?alt=sse} for SSE
 * frames, else one JSON array), written from Google's public REST reference independently of Ensemble's
 * wire code. Same conventions as {@link FakeUpstream}, whose {@link Reply} scripts it plays.
 * {@code :embedContent} and {@code :batchEmbedContents}: {@link GeminiEmbeddingsRoute}. {@code :countTokens}: a
 * {@code CountTokensRequest} ({@code contents}, or a {@code generateContentRequest} naming the model, never both)
 * answered {@code {totalTokens, promptTokensDetails}} with the prompt tokens generateContent would report
 * ({@link #countedTokens}); a queued error reply is played instead.
 *
 * <p><b>Validation</b>, as the real API does it, before any script is consumed: the key from
 * {@code x-goog-api-key} or {@code ?key=} (none: 403 {@code PERMISSION_DENIED}; unknown: 400
 * {@code INVALID_ARGUMENT} with ErrorInfo reason {@code API_KEY_INVALID}); a JSON body with known fields only;
 * non-empty {@code contents} of role {@code user}/{@code model} with non-empty parts holding exactly one datum;
 * function responses answering, one for one, the calls of the model turn just before; function declarations
 * whose {@code parameters} use only Gemini's OpenAPI-subset schema keys (an {@code additionalProperties} or
 * {@code $schema} is the real "Unknown name" 400) and are not an empty OBJECT.
 *
 * <p><b>Scripting.</b> {@link #enqueue} adds replies to a FIFO; with none queued an admitted request gets
 * {@code "echo: " + <text of the last user turn>}. Replies render as Gemini does: thinking as
 * {@code thought: true} parts, tool calls as {@code functionCall} parts without ids (the first carrying a
 * {@code thoughtSignature}), stop reasons as {@code finishReason} ({@code end_turn}/{@code tool_use} -> STOP,
 * {@code max_tokens} -> MAX_TOKENS, {@code refusal} -> SAFETY, others as given), errors as
 * {@code {"error":{code,message,status,details}}} with QuotaFailure/Help on 429s and the
 * {@link GeminiReply}'s RetryInfo and ErrorInfo. Streams send one word per frame, function calls whole, and
 * the finish reason with the final {@code usageMetadata} in the last frame.
 *
 * <p><b>Tokens</b> as {@link FakeUpstream} counts them; {@code promptTokenCount} includes
 * {@code cachedContentTokenCount} (a scripted usage's {@code input + cacheRead}); thinking is reported in
 * {@code thoughtsTokenCount}.
 */
public final class FakeGemini extends FakeServer<GeminiReply> {

  private static final Pattern PATH = Pattern.compile("/v1beta/((?:models|tunedModels)/[^/:]+):(generateContent|streamGenerateContent)");

  private static final Pattern COUNT_PATH = Pattern.compile("/v1beta/((?:models|tunedModels)/[^/:]+):countTokens");

  private final GeminiRoute route = new GeminiRoute(state());
  private final GeminiEmbeddingsRoute embeddings = new GeminiEmbeddingsRoute(state(), route);

  private FakeGemini(Vertx vertx) {
    super(vertx);
  }

  /** Starts a fake listening on {@code 127.0.0.1} on a free port; its {@link #baseUrl} has no version. */
  public static Future<FakeGemini> start(Vertx vertx) {
    return listen(new FakeGemini(vertx), loopback());
  }

  public FakeGemini enqueue(Reply... replies) {
    script(Arrays.stream(replies).map(GeminiReply::of).toList());
    return this;
  }

  public FakeGemini enqueue(GeminiReply... replies) {
    script(List.of(replies));
    return this;
  }

  /** What the fake's countTokens answers for a generateContent body (its tools, system instruction and contents). */
  public static int countedTokens(io.vertx.core.json.JsonObject generateContentBody) {
    return GeminiRoute.countedTokens(generateContentBody);
  }

  /** Only these API keys are valid from now on. */
  public FakeGemini acceptKeys(String... keys) {
    state().acceptKeys(Set.of(keys));
    return this;
  }

  /** Any non-empty API key is valid (the default). */
  public FakeGemini acceptAnyKey() {
    state().acceptKeys(null);
    return this;
  }

  public FakeGemini clock(LongSupplier epochMillis) {
    state().clock(epochMillis);
    return this;
  }

  @Override
  protected void answer(HttpServerRequest request, RecordedRequest recordedRequest) {
    Matcher embed = GeminiEmbeddingsRoute.PATH.matcher(request.path());
    if (request.method() == HttpMethod.POST && embed.matches()) {
      GeminiEmbeddingsRoute.Answer answer = embeddings.answer(embed, recordedRequest, request.getParam("key"), this::nextReply);
      if (answer != null) {
        play(request, answer.rendered(), answer.timing());
      }
      return;
    }
    Matcher count = COUNT_PATH.matcher(request.path());
    if (request.method() == HttpMethod.POST && count.matches()) {
      GeminiRoute.Admission admission = route.admitCount(recordedRequest, request.getParam("key"), count.group(1));
      play(request, admission.rejection() != null ? admission.rejection() : route.renderCount(admission, nextReply()), null);
      return;
    }
    Matcher path = PATH.matcher(request.path());
    if (request.method() != HttpMethod.POST || !path.matches()) {
      play(request, GeminiRoute.error(404, "NOT_FOUND", "Requested entity was not found.", new JsonArray()), null);
      return;
    }
    boolean stream = path.group(2).equals("streamGenerateContent");
    GeminiRoute.Call call = new GeminiRoute.Call(path.group(1).substring(path.group(1).indexOf('/') + 1), stream,
        stream && "sse".equals(request.getParam("alt")));
    GeminiRoute.Admission admission = route.admit(recordedRequest, request.getParam("key"));
    if (admission.rejection() != null) {
      play(request, admission.rejection(), null);
      return;
    }
    GeminiReply reply = nextReply();
    if (reply == null) {
      reply = GeminiReply.of(route.defaultReply(admission.body()));
    }
    if (reply.reply.kind() == Reply.Kind.HANG) {
      return;
    }
    play(request, route.render(call, admission, reply), reply.reply);
  }
}
