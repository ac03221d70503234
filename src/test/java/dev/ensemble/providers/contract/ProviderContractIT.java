package dev.ensemble.providers.contract;

import static dev.ensemble.providers.contract.ContractClient.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The provider contract: every scenario below is written once and runs, through a real gateway node, against every
 * provider kind's fake ({@link #targets}). Per target one fake and one node start for the whole class; the node has
 * providers {@code solo} (one key), {@code pair} (two keys) and {@code backup} (the built-in mock), and models
 * {@value #SOLO} (solo), {@value #PAIR} (pair) and {@value #FAILOVER} (solo, then backup). Each scenario checks what
 * the client sees and what the upstream received.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("targets")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderContractIT {

  private static final String ADMIN_KEY = "contract-admin-key-0001";
  private static final String SOLO = "contract-solo";
  private static final String PAIR = "contract-pair";
  private static final String FAILOVER = "contract-failover";
  private static final String TOOL = "get_weather";
  private static final String ARGUMENTS = "{\"city\":\"Paris\",\"days\":3}";
  private static final JsonObject TOOL_SCHEMA = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string"))
          .put("days", new JsonObject().put("type", "integer")))
      .put("required", new JsonArray().add("city"));
  /** Scripted usage: 20 uncached input tokens, 7 output, 64 read from the prompt cache. */
  private static final int INPUT = 20;
  private static final int OUTPUT = 7;
  private static final int CACHE_READ = 64;

  static List<ContractTarget> targets() {
    return List.of(
        new OpenAiCompatibleTarget("openai", "gpt-4o-mini", true),
        new AnthropicTarget(),
        new GeminiTarget(),
        new BedrockTarget(),
        VertexTarget.claude(),
        VertexTarget.gemini(),
        new OpenAiCompatibleTarget("xai", "grok-4", true),
        new OpenAiCompatibleTarget("fireworks", "accounts/fireworks/models/kimi-k2", true),
        new OpenAiCompatibleTarget("openrouter", "anthropic/claude-sonnet-4.5", true),
        new OpenAiCompatibleTarget("self_hosted", "Qwen/Qwen3-Coder-Next", false));
  }

  @Parameter
  ContractTarget target;

  /** Reports name the target by index only; a failure names it. */
  @RegisterExtension
  final TestExecutionExceptionHandler namesTheTarget = (context, thrown) -> {
    throw new AssertionError(target + ": " + thrown.getMessage(), thrown);
  };

  private Vertx fakes;
  private GatewayExtension gateway;
  private ContractClient client;

  @BeforeParameterizedClassInvocation
  void start(ContractTarget target) throws Exception {
    fakes = Vertx.vertx();
    target.start(fakes).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    gateway = GatewayExtension.withConfig(() -> config(target));
    gateway.start();
    client = new ContractClient(gateway, ADMIN_KEY);
  }

  @AfterParameterizedClassInvocation
  void stop() throws Exception {
    if (gateway != null) {
      gateway.stop();
    }
    fakes.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void reset() throws Exception {
    target.reset();
    gateway.resetPools();
  }

  private static String config(ContractTarget target) {
    String model = "\"" + target.upstreamModel() + "\"";
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        responses: { local_dir: %s }
        providers:
          solo: %s
          pair: %s
          backup: { type: mock, keys: [ { name: local, endpoints: [ { id: backup-1 } ] } ] }
        models:
          %s: { providers: [ { provider: solo, model: %s } ] }
          %s: { providers: [ { provider: pair, model: %s } ] }
          %s: { providers: [ { provider: solo, model: %s }, { provider: backup } ] }
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"),
        target.provider(0, List.of("solo-1"), "timeout_ms: 5000, first_byte_timeout_ms: 3000, idle_timeout_ms: 3000"),
        target.provider(1, List.of("pair-a", "pair-b"), "strategy: round_robin"),
        SOLO, model, PAIR, model, FAILOVER, model);
  }

  // --- chat ------------------------------------------------------------------------------------------------------

  @Test
  void anOpenAiClientGetsTheTextStopReasonAndUsage() throws Exception {
    target.enqueue(Reply.text("Bonjour from the contract.").usage(INPUT, OUTPUT, CACHE_READ, 0));

    HttpResponse<String> response = client.openAi(openAiChat(SOLO, false, "Say hello."));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject choice = new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0);
    assertEquals("Bonjour from the contract.", choice.getJsonObject("message").getString("content"));
    assertEquals("stop", choice.getString("finish_reason"));
    assertOpenAiUsage(new JsonObject(response.body()).getJsonObject("usage"));
    assertReceivedPrompt("Say hello.", false);
  }

  @Test
  void anAnthropicClientGetsTheTextStopReasonAndUsage() throws Exception {
    target.enqueue(Reply.text("Bonjour from the contract.").usage(INPUT, OUTPUT, CACHE_READ, 0));

    HttpResponse<String> response = client.anthropic(anthropicMessage(SOLO, false, "Say hello."));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject message = new JsonObject(response.body());
    assertEquals("message", message.getString("type"));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "text").put("text", "Bonjour from the contract.")),
        message.getJsonArray("content"));
    assertEquals("end_turn", message.getString("stop_reason"));
    assertAnthropicUsage(message.getJsonObject("usage"));
    assertReceivedPrompt("Say hello.", false);
  }

  @Test
  void anOpenAiClientStreamsTheTextAndTheFinalUsage() throws Exception {
    target.enqueue(Reply.text("one two three four five").usage(INPUT, OUTPUT, CACHE_READ, 0));

    HttpResponse<String> response = client.openAi(openAiChat(SOLO, true, "Count to five."));

    assertEquals(200, response.statusCode(), response.body());
    OpenAiStream stream = OpenAiStream.of(response.body());
    assertEquals("assistant", stream.first().getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"));
    assertEquals("one two three four five", stream.text());
    assertEquals(List.of("stop"), stream.finishReasons());
    JsonObject last = stream.last();
    assertTrue(last.getJsonArray("choices").isEmpty(), "the usage chunk comes last: " + last.encode());
    assertOpenAiUsage(last.getJsonObject("usage"));
    assertReceivedPrompt("Count to five.", true);
  }

  @Test
  void anAnthropicClientStreamsTheTextAndTheFinalUsage() throws Exception {
    target.enqueue(Reply.text("one two three four five").usage(INPUT, OUTPUT, CACHE_READ, 0));

    HttpResponse<String> response = client.anthropic(anthropicMessage(SOLO, true, "Count to five."));

    assertEquals(200, response.statusCode(), response.body());
    AnthropicStream stream = AnthropicStream.of(response.body());
    assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop"), stream.eventKinds());
    assertEquals("one two three four five", stream.deltas("text_delta", "text"));
    JsonObject delta = stream.first("message_delta");
    assertEquals("end_turn", delta.getJsonObject("delta").getString("stop_reason"));
    JsonObject usage = stream.first("message_start").getJsonObject("message").getJsonObject("usage").copy()
        .mergeIn(delta.getJsonObject("usage"));
    assertAnthropicUsage(usage);
    assertReceivedPrompt("Count to five.", true);
  }

  // --- tools -----------------------------------------------------------------------------------------------------

  @Test
  void anOpenAiClientsToolReachesTheUpstreamAndItsCallComesBackExactly() throws Exception {
    target.enqueue(Reply.toolCall(TOOL, ARGUMENTS));

    HttpResponse<String> response = client.openAi(openAiChat(SOLO, false, "Weather in Paris?").put("tools", openAiTools()));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject choice = new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0);
    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertFalse(call.getString("id", "").isEmpty(), call.encode());
    assertEquals(TOOL, call.getJsonObject("function").getString("name"));
    assertEquals(ARGUMENTS, call.getJsonObject("function").getString("arguments"));
    assertReceivedTool(false);
  }

  @Test
  void anAnthropicClientsToolReachesTheUpstreamAndItsCallComesBackExactly() throws Exception {
    target.enqueue(Reply.toolCall(TOOL, ARGUMENTS));

    HttpResponse<String> response = client.anthropic(anthropicMessage(SOLO, false, "Weather in Paris?").put("tools", anthropicTools()));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject message = new JsonObject(response.body());
    assertEquals("tool_use", message.getString("stop_reason"));
    JsonObject use = message.getJsonArray("content").stream().map(JsonObject.class::cast)
        .filter(block -> "tool_use".equals(block.getString("type"))).findFirst().orElseThrow(() -> new AssertionError(response.body()));
    assertFalse(use.getString("id", "").isEmpty(), use.encode());
    assertEquals(TOOL, use.getString("name"));
    assertEquals(ARGUMENTS, use.getJsonObject("input").encode());
    assertReceivedTool(false);
  }

  @Test
  void anOpenAiClientStreamsAToolCallWithItsExactArguments() throws Exception {
    target.enqueue(Reply.toolCall(TOOL, ARGUMENTS));

    HttpResponse<String> response = client.openAi(openAiChat(SOLO, true, "Weather in Paris?").put("tools", openAiTools()));

    assertEquals(200, response.statusCode(), response.body());
    OpenAiStream stream = OpenAiStream.of(response.body());
    assertEquals(TOOL, stream.toolName(), response.body());
    assertEquals(ARGUMENTS, stream.toolArguments());
    assertEquals(List.of("tool_calls"), stream.finishReasons());
    assertReceivedTool(true);
  }

  @Test
  void anAnthropicClientStreamsAToolUseWithItsExactArguments() throws Exception {
    target.enqueue(Reply.toolCall(TOOL, ARGUMENTS));

    HttpResponse<String> response = client.anthropic(anthropicMessage(SOLO, true, "Weather in Paris?").put("tools", anthropicTools()));

    assertEquals(200, response.statusCode(), response.body());
    AnthropicStream stream = AnthropicStream.of(response.body());
    JsonObject block = stream.first("content_block_start").getJsonObject("content_block");
    assertEquals("tool_use", block.getString("type"), response.body());
    assertEquals(TOOL, block.getString("name"));
    assertEquals(ARGUMENTS, stream.deltas("input_json_delta", "partial_json"));
    assertEquals("tool_use", stream.first("message_delta").getJsonObject("delta").getString("stop_reason"));
    assertReceivedTool(true);
  }

  // --- error classes ---------------------------------------------------------------------------------------------

  @Test
  void aRateLimitOnTheOnlyEndpointReachesTheClientAs429WithRetryAfterInBothClientFormats() throws Exception {
    target.enqueueRateLimited(7);
    HttpResponse<String> openAi = client.openAi(openAiChat(SOLO, false, "hello"));
    gateway.resetPools();
    target.enqueueRateLimited(7);
    HttpResponse<String> anthropic = client.anthropic(anthropicMessage(SOLO, false, "hello"));

    assertEquals(429, openAi.statusCode(), openAi.body());
    assertEquals("rate_limit_error", new JsonObject(openAi.body()).getJsonObject("error").getString("type"), openAi.body());
    assertRetryAfter(openAi);
    assertEquals(429, anthropic.statusCode(), anthropic.body());
    assertEquals("rate_limit_error", new JsonObject(anthropic.body()).getJsonObject("error").getString("type"), anthropic.body());
    assertRetryAfter(anthropic);
    assertEquals(2, target.received().size(), "one call each, to the only endpoint");
  }

  private void assertRetryAfter(HttpResponse<String> response) {
    long retryAfter = Long.parseLong(header(response, "retry-after"));
    if (target.rateLimitCarriesWait()) {
      assertEquals(7, retryAfter, "the provider's own wait is passed on");
    } else {
      assertTrue(retryAfter >= 1, "retry-after " + retryAfter);
    }
  }

  @Test
  void aRetryableFailureFailsOverToAnotherProvider() throws Exception {
    target.enqueueRetryable();

    HttpResponse<String> response = client.openAi(openAiChat(FAILOVER, false, "hello"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("backup", header(response, "x-ensemble-provider"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals(1, target.received().size(), "the failing provider was tried first, once");
  }

  @Test
  void aRetryableFailureWithNoOtherProviderIsA5xxInTheClientsFormat() throws Exception {
    target.enqueueRetryable();
    target.enqueueRetryable();

    HttpResponse<String> response = client.openAi(openAiChat(SOLO, false, "hello"));

    assertTrue(response.statusCode() == 502 || response.statusCode() == 503, response.statusCode() + " " + response.body());
    assertEquals("server_error", new JsonObject(response.body()).getJsonObject("error").getString("type"), response.body());
    assertFalse(target.received().isEmpty());
  }

  @Test
  void aPermanentErrorIsReturnedAtOnceWithTheProvidersMessageInBothClientFormats() throws Exception {
    target.enqueueInvalidRequest("contract: the prompt is invalid for this model");
    target.enqueueInvalidRequest("contract: the prompt is invalid for this model");

    HttpResponse<String> openAi = client.openAi(openAiChat(FAILOVER, false, "hello"));
    HttpResponse<String> anthropic = client.anthropic(anthropicMessage(FAILOVER, false, "hello"));

    assertEquals(400, openAi.statusCode(), openAi.body());
    assertEquals("1", header(openAi, "x-ensemble-attempts"));
    assertTrue(new JsonObject(openAi.body()).getJsonObject("error").getString("message").contains("contract: the prompt is invalid"),
        openAi.body());
    assertEquals(400, anthropic.statusCode(), anthropic.body());
    assertEquals("error", new JsonObject(anthropic.body()).getString("type"));
    assertEquals("invalid_request_error", new JsonObject(anthropic.body()).getJsonObject("error").getString("type"));
    assertTrue(new JsonObject(anthropic.body()).getJsonObject("error").getString("message").contains("contract: the prompt is invalid"),
        anthropic.body());
    assertEquals(2, target.received().size(), "no other provider was tried");
  }

  @Test
  void aRejectedKeyIsDisabledVisiblyAndTheOtherKeyServesTheRequest() throws Exception {
    target.enqueueKeyRejected();

    HttpResponse<String> response = client.openAi(openAiChat(PAIR, false, "hello"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals("failover:auth", header(response, "x-ensemble-route-reason"));
    List<RecordedRequest> received = target.received();
    assertEquals(2, received.size());
    if (target.credentialOf(1) != null) {
      assertEquals(Set.of(target.credentialOf(1), target.credentialOf(2)),
          received.stream().map(target::credential).collect(Collectors.toSet()), "one attempt per key");
    }
    String served = header(response, "x-ensemble-endpoint");
    String other = served.equals("pair-a") ? "pair-b" : "pair-a";
    JsonObject status = client.status();
    assertEquals(true, health(status, other).getBoolean("key_disabled"), status.encode());
    assertEquals(false, health(status, served).getBoolean("key_disabled", false), status.encode());
  }

  @Test
  void whenEveryKeyIsRejectedTheClientGets502UpstreamAuthFailed() throws Exception {
    target.enqueueKeyRejected();
    target.enqueueKeyRejected();

    HttpResponse<String> response = client.openAi(openAiChat(PAIR, false, "hello"));

    assertEquals(502, response.statusCode(), response.body());
    assertEquals("upstream_auth_failed", new JsonObject(response.body()).getJsonObject("error").getString("code"), response.body());
    assertEquals(2, target.received().size());
    JsonObject status = client.status();
    assertEquals(true, health(status, "pair-a").getBoolean("key_disabled"), status.encode());
    assertEquals(true, health(status, "pair-b").getBoolean("key_disabled"), status.encode());
  }

  // --- helpers ---------------------------------------------------------------------------------------------------

  private void assertReceivedPrompt(String prompt, boolean streamed) {
    RecordedRequest received = target.lastReceived();
    assertEquals(1, target.received().size());
    assertEquals(prompt, target.wire().lastUserText(received.json()));
    assertEquals(streamed, target.wire().streamed(received), received.path());
    assertTrue(received.bodyText().contains("\"" + target.upstreamModel() + "\"")
        || URLDecoder.decode(received.path(), StandardCharsets.UTF_8).contains(target.upstreamModel()), "the upstream model is named");
    assertEquals(target.credentialOf(0), target.credential(received));
  }

  private void assertReceivedTool(boolean streamed) {
    RecordedRequest received = target.lastReceived();
    assertEquals(streamed, target.wire().streamed(received), received.path());
    JsonObject schema = target.wire().toolSchema(received.json(), TOOL);
    assertNotNull(schema, received.bodyText());
    JsonObject properties = schema.getJsonObject("properties");
    assertTrue("string".equalsIgnoreCase(properties.getJsonObject("city").getString("type")), schema.encode());
    assertTrue("integer".equalsIgnoreCase(properties.getJsonObject("days").getString("type")), schema.encode());
    assertEquals(new JsonArray().add("city"), schema.getJsonArray("required"));
  }

  private static void assertOpenAiUsage(JsonObject usage) {
    assertNotNull(usage, "usage");
    assertEquals(INPUT + CACHE_READ, usage.getInteger("prompt_tokens"), usage.encode());
    assertEquals(OUTPUT, usage.getInteger("completion_tokens"), usage.encode());
    assertEquals(CACHE_READ, usage.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"), usage.encode());
  }

  private static void assertAnthropicUsage(JsonObject usage) {
    assertNotNull(usage, "usage");
    assertEquals(INPUT, usage.getInteger("input_tokens"), usage.encode());
    assertEquals(OUTPUT, usage.getInteger("output_tokens"), usage.encode());
    assertEquals(CACHE_READ, usage.getInteger("cache_read_input_tokens"), usage.encode());
  }

  private static JsonObject openAiChat(String model, boolean stream, String prompt) {
    JsonObject body = new JsonObject().put("model", model).put("max_tokens", 200)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
    if (stream) {
      body.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  private static JsonObject anthropicMessage(String model, boolean stream, String prompt) {
    return new JsonObject().put("model", model).put("max_tokens", 200).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
  }

  private static JsonArray openAiTools() {
    return new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", TOOL)
        .put("description", "The weather forecast of a city.").put("parameters", TOOL_SCHEMA.copy())));
  }

  private static JsonArray anthropicTools() {
    return new JsonArray().add(new JsonObject().put("name", TOOL).put("description", "The weather forecast of a city.")
        .put("input_schema", TOOL_SCHEMA.copy()));
  }

  private static JsonObject health(JsonObject status, String endpointId) {
    for (Object p : status.getJsonArray("providers")) {
      for (Object e : ((JsonObject) p).getJsonArray("endpoints")) {
        if (endpointId.equals(((JsonObject) e).getString("id"))) {
          return ((JsonObject) e).getJsonObject("health");
        }
      }
    }
    throw new AssertionError("no endpoint " + endpointId + " in " + status.encode());
  }
}
