package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A scriptable fake LLM upstream on {@code 127.0.0.1}, port 0, speaking both the OpenAI Chat
 * Completions wire format ({@code POST /v1/chat/completions}) and the Anthropic Messages wire format
 * ({@code POST /v1/messages}, and {@code POST /v1/messages/count_tokens}: {@code {"input_tokens": n}}), written from the providers' public formats independently of Ensemble's
 * own wire code.
 *
 * <p>It also answers OpenAI's {@code POST /v1/embeddings} (deterministic vectors, see {@link OpenAiEmbeddingsRoute})
 * and {@code POST /v1/images/generations} ({@code url} or {@code b64_json}, see {@link OpenAiImagesRoute}), with the
 * same keys, script and error replies, and OpenAI's Responses API ({@code POST /v1/responses}, see {@link ResponsesRoute}):
 * the same replies rendered as a {@code response} object or its semantic SSE events, with {@code GET /v1/responses/{id}}
 * and {@code POST /v1/responses/{id}/cancel} for stored and background responses.
 *
 * <p><b>Validation</b>, as the real APIs do it, before any script is consumed. OpenAI: {@code
 * Authorization: Bearer} (401 {@code invalid_api_key} for an unknown key), {@code model}, non-empty
 * {@code messages}, {@code stream_options} only with {@code stream}, every {@code tool} message answering
 * a {@code tool_calls} id of the preceding assistant message and every tool call answered. Anthropic:
 * {@code x-api-key} (or {@code Authorization: Bearer}, which anthropic-java 3.12.0 sends; 401
 * {@code authentication_error}), {@code anthropic-version} (400), {@code model}, {@code max_tokens},
 * non-empty {@code messages} starting with {@code user} and alternating roles (stricter than today's API,
 * which merges consecutive turns), every {@code tool_result} answering a {@code tool_use} of the previous
 * assistant turn and every {@code tool_use} answered in the next turn.
 *
 * <p><b>Scripting.</b> {@link #enqueue} adds {@link Reply replies} to one FIFO shared by both routes;
 * an admitted request takes the next one, or, if none is queued, the default reply
 * {@code "echo: " + <text of the last user message>}. Streaming follows the request's {@code "stream"}.
 *
 * <p><b>Token approximation.</b> Tokens are {@code ceil(chars / 4)}: input over the canonical prompt
 * (OpenAI: each tool, then each message, as received JSON, one per line; Anthropic: each tool, system
 * block and message content block, without {@code cache_control}, prefixed by its place), output over
 * the answer's text, thinking and tool-argument characters; both at least 1.
 *
 * <p><b>Prompt-cache simulation</b>, per API key and model (see {@link PromptCache}): Anthropic reports
 * a breakpoint prefix (tools -> system -> messages, up to a {@code cache_control} block) of at least
 * 1024 tokens as {@code cache_read_input_tokens} when that key sent it within 5 minutes, else as
 * {@code cache_creation_input_tokens}; {@code input_tokens} is the rest. OpenAI reports in
 * {@code prompt_tokens_details.cached_tokens} the longest previously seen prefix of a prompt of at least
 * 1024 tokens, in 128-token steps, and {@code prompt_tokens} includes it. {@link #clock} makes the TTL
 * testable.
 *
 * <p><b>OpenAI-compatible servers.</b> {@link #acceptMissingKey} lets OpenAI-format requests without a key in
 * (SGLang and vLLM started without {@code --api-key}). A request asking for OpenRouter's usage accounting
 * ({@code "usage": {"include": true}}) gets {@code usage.cost}: {@value #FAKE_USD_PER_TOKEN} USD per prompt
 * and completion token.
 */
public final class FakeUpstream extends FakeServer<Reply> {

  /** The price behind the {@code usage.cost} reported to requests asking for usage accounting. */
  public static final double FAKE_USD_PER_TOKEN = 0.000001;

  private final OpenAiRoute openAi = new OpenAiRoute(state());
  private final AnthropicRoute anthropic = new AnthropicRoute(state());
  private final OpenAiEmbeddingsRoute embeddings = new OpenAiEmbeddingsRoute(openAi);
  private final OpenAiImagesRoute images = new OpenAiImagesRoute(openAi, state());
  private final ResponsesRoute responses = new ResponsesRoute(openAi, state());

  private FakeUpstream(Vertx vertx) {
    super(vertx);
  }

  /** Starts a fake listening on {@code 127.0.0.1} on a free port. */
  public static Future<FakeUpstream> start(Vertx vertx) {
    return listen(new FakeUpstream(vertx), loopback());
  }

  /** {@code baseUrl() + "/v1"}: the OpenAI-style base URL ({@link #baseUrl} is the Anthropic-style one). */
  public String openAiBaseUrl() {
    return baseUrl() + "/v1";
  }

  /** What the fake's Anthropic {@code count_tokens} answers for {@code body} (a quarter of its system, tools and messages JSON). */
  public static int anthropicCountedTokens(JsonObject body) {
    return AnthropicRoute.countedTokens(body);
  }

  /** Queues replies, each consumed by the next admitted request on either route. */
  public FakeUpstream enqueue(Reply... replies) {
    script(List.of(replies));
    return this;
  }

  /** Only these API keys are valid from now on. */
  public FakeUpstream acceptKeys(String... keys) {
    state().acceptKeys(Set.of(keys));
    return this;
  }

  /** OpenAI-format requests without an API key are admitted too (a self-hosted server without a key). */
  public FakeUpstream acceptMissingKey() {
    state().keyOptional(true);
    return this;
  }

  /** Any non-empty API key is valid (the default). */
  public FakeUpstream acceptAnyKey() {
    state().acceptKeys(null);
    return this;
  }

  /**
   * How many {@code GET /v1/responses/{id}} reads a background response stays {@code in_progress} before it is
   * {@code completed} (default 2; 0 completes it at its first read).
   */
  public FakeUpstream backgroundPolls(int polls) {
    responses.backgroundPolls(polls);
    return this;
  }

  /** The clock (epoch millis) of the cache TTLs, ids' {@code created} and rate-limit resets. */
  public FakeUpstream clock(LongSupplier epochMillis) {
    state().clock(epochMillis);
    return this;
  }

  /** Also puts background responses back to their default pace ({@link #backgroundPolls} 2). */
  @Override
  public void reset() {
    super.reset();
    responses.backgroundPolls(2);
  }

  @Override
  protected void answer(HttpServerRequest request, RecordedRequest recordedRequest) {
    if (request.method() == HttpMethod.POST && "/v1/messages/count_tokens".equals(request.path())) {
      Route.Admission admission = anthropic.admitCount(recordedRequest);
      play(request, admission.rejection() != null ? admission.rejection() : anthropic.renderCount(admission, nextReply()), null);
      return;
    }
    if (request.path().startsWith("/v1/responses/")) {
      String[] parts = request.path().substring("/v1/responses/".length()).split("/", -1);
      if (request.method() == HttpMethod.GET && parts.length == 1 && !parts[0].isEmpty()) {
        play(request, responses.retrieve(recordedRequest, parts[0]), null);
        return;
      }
      if (request.method() == HttpMethod.POST && parts.length == 2 && "cancel".equals(parts[1])) {
        play(request, responses.cancel(recordedRequest, parts[0]), null);
        return;
      }
    }
    Route route = route(request);
    if (route == null) {
      JsonObject error = new JsonObject().put("error", new JsonObject()
          .put("message", "Invalid URL (" + request.method() + " " + request.path() + ")")
          .put("type", "invalid_request_error").put("param", null).put("code", null));
      play(request, Rendered.json(404, MultiMap.caseInsensitiveMultiMap(), error), null);
      return;
    }
    Route.Admission admission = route.admit(recordedRequest);
    if (admission.rejection() != null) {
      play(request, admission.rejection(), null);
      return;
    }
    Reply reply = nextReply();
    if (reply == null) {
      reply = route.defaultReply(admission.body());
    }
    if (reply.kind() == Reply.Kind.HANG) {
      return;
    }
    play(request, route.render(admission, reply), reply);
  }

  private Route route(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST) {
      return null;
    }
    switch (request.path()) {
      case "/v1/chat/completions":
        return openAi;
      case "/v1/messages":
        return anthropic;
      case "/v1/embeddings":
        return embeddings;
      case "/v1/images/generations":
        return images;
      case "/v1/responses":
        return responses;
      default:
        return null;
    }
  }
}
