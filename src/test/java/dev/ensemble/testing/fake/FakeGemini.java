package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scriptable fake of the Gemini API on {@code 127.0.0.1}, port 0: {@code POST
 * /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent} ({@code ?alt=sse} for SSE
 * frames, else one JSON array), written from Google's public REST reference independently of Ensemble's
 * wire code. Same conventions as {@link FakeUpstream}, whose {@link Reply} scripts it plays.
 * {@code :embedContent} and {@code :batchEmbedContents}: {@link GeminiEmbeddingsRoute}.
 *
 * <p><b>Recording.</b> Every request is recorded on arrival, before validation, with its path and query.
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
public final class FakeGemini {

  private static final Pattern PATH = Pattern.compile("/v1beta/((?:models|tunedModels)/[^/:]+):(generateContent|streamGenerateContent)");

  private final Vertx vertx;
  private final UpstreamState state = new UpstreamState();
  private final Queue<GeminiReply> script = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> recorded = new CopyOnWriteArrayList<>();
  private final GeminiRoute route = new GeminiRoute(state);
  private final GeminiEmbeddingsRoute embeddings = new GeminiEmbeddingsRoute(state, route);
  private HttpServer server;

  private FakeGemini(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts a fake listening on {@code 127.0.0.1} on a free port. */
  public static Future<FakeGemini> start(Vertx vertx) {
    FakeGemini fake = new FakeGemini(vertx);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(fake::handle)
        .listen()
        .map(server -> {
          fake.server = server;
          return fake;
        });
  }

  public Future<Void> close() {
    return server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>}: the base URL as Google's SDKs name it (no version). */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public FakeGemini enqueue(Reply... replies) {
    Arrays.stream(replies).map(GeminiReply::of).forEach(script::add);
    return this;
  }

  public FakeGemini enqueue(GeminiReply... replies) {
    script.addAll(List.of(replies));
    return this;
  }

  /** Only these API keys are valid from now on. */
  public FakeGemini acceptKeys(String... keys) {
    state.acceptKeys(Set.of(keys));
    return this;
  }

  /** Any non-empty API key is valid (the default). */
  public FakeGemini acceptAnyKey() {
    state.acceptKeys(null);
    return this;
  }

  public FakeGemini clock(LongSupplier epochMillis) {
    state.clock(epochMillis);
    return this;
  }

  /** Clears scripts, recordings, remembered cache prefixes, key list and clock. */
  public void reset() {
    script.clear();
    recorded.clear();
    state.reset();
  }

  public List<RecordedRequest> requests() {
    return List.copyOf(recorded);
  }

  public RecordedRequest lastRequest() {
    List<RecordedRequest> all = requests();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  public int requestCount() {
    return recorded.size();
  }

  public int pendingReplies() {
    return script.size();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> answer(request, record(request, body)));
  }

  private RecordedRequest record(HttpServerRequest request, Buffer body) {
    RecordedRequest recordedRequest = new RecordedRequest(request.method().name(), request.path(),
        request.query(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.copy());
    recorded.add(recordedRequest);
    return recordedRequest;
  }

  private void answer(HttpServerRequest request, RecordedRequest recordedRequest) {
    Matcher embed = GeminiEmbeddingsRoute.PATH.matcher(request.path());
    if (request.method() == HttpMethod.POST && embed.matches()) {
      GeminiEmbeddingsRoute.Answer answer = embeddings.answer(embed, recordedRequest, request.getParam("key"), script::poll);
      if (answer != null) {
        play(request, answer.rendered(), answer.timing());
      }
      return;
    }
    Matcher path = PATH.matcher(request.path());
    if (request.method() != HttpMethod.POST || !path.matches()) {
      play(request, GeminiRoute.error(404, "NOT_FOUND", "Requested entity was not found.", new JsonArray()), Reply.text(""));
      return;
    }
    boolean stream = path.group(2).equals("streamGenerateContent");
    GeminiRoute.Call call = new GeminiRoute.Call(path.group(1).substring(path.group(1).indexOf('/') + 1), stream,
        stream && "sse".equals(request.getParam("alt")));
    GeminiRoute.Admission admission = route.admit(recordedRequest, request.getParam("key"));
    if (admission.rejection() != null) {
      play(request, admission.rejection(), Reply.text(""));
      return;
    }
    GeminiReply reply = script.poll();
    if (reply == null) {
      reply = GeminiReply.of(route.defaultReply(admission.body()));
    }
    if (reply.reply.kind() == Reply.Kind.HANG) {
      return;
    }
    Rendered rendered = route.render(call, admission, reply);
    reply.reply.headers.forEach(header -> rendered.headers().set(header.getKey(), header.getValue()));
    play(request, rendered, reply.reply);
  }

  private void play(HttpServerRequest request, Rendered rendered, Reply timing) {
    new Playback(vertx, request, rendered, timing.latencyMs, timing.eventDelayMs, timing.cutAfterEvents).start();
  }
}
