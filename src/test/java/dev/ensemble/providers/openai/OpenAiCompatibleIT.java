package dev.ensemble.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OpenAI-compatible family through a real gateway, every profile against the OpenAI-format fake: chat,
 * streaming with usage, a tool-call round trip and usage, per profile; then each profile's own traits on the
 * wire (OpenRouter attribution, preferences, usage accounting and cache markers; a keyless self-hosted server).
 */
class OpenAiCompatibleIT {

  private static final String XAI_KEY = "xai-test-key-0001";
  private static final String FIREWORKS_KEY = "fw-test-key-0002";
  private static final String OPENROUTER_KEY = "sk-or-v1-test-0003";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %1$s }
      providers:
        xai:
          type: openai
          base_url: %2$s
          keys: [ { name: k, api_key: %3$s, endpoints: [ { id: xai-1 } ] } ]
        fireworks:
          type: openai
          base_url: %2$s
          keys: [ { name: k, api_key: %4$s, endpoints: [ { id: fireworks-1 } ] } ]
        openrouter:
          type: openai
          base_url: %2$s
          headers: { HTTP-Referer: "https://ensemble.example.com", X-Title: Ensemble IT }
          provider_preferences: { order: [ anthropic, amazon-bedrock ], allow_fallbacks: false }
          keys: [ { name: k, api_key: %5$s, endpoints: [ { id: openrouter-1 } ] } ]
        sglang:
          type: openai
          kind: self_hosted
          base_url: %2$s
          keys: [ { name: local, endpoints: [ { id: sglang-1 } ] } ]
      models:
        grok-test: { pricing: { input: 3, output: 15 }, providers: [ { provider: xai, model: grok-4 } ] }
        kimi-test: { pricing: { input: 0.6, output: 2.5 }, providers: [ { provider: fireworks, model: accounts/fireworks/models/kimi-k2 } ] }
        claude-or: { pricing: { input: 3, output: 15 }, providers: [ { provider: openrouter, model: anthropic/claude-sonnet-4.5 } ] }
        gpt-or: { pricing: { input: 1.25, output: 10 }, providers: [ { provider: openrouter, model: openai/gpt-5 } ] }
        qwen-local: { pricing: { input: 0, output: 0 }, providers: [ { provider: sglang, model: Qwen/Qwen3-Coder-Next } ] }
      """.formatted(GatewayExtension.scratchDir("responses"), f.openAiBaseUrl(), XAI_KEY, FIREWORKS_KEY, OPENROUTER_KEY));

  /** One model per profile: who serves it, under which id, with which key and output-limit field. */
  enum Profile {
    XAI("grok-test", "xai", "grok-4", XAI_KEY, "max_completion_tokens"),
    FIREWORKS("kimi-test", "fireworks", "accounts/fireworks/models/kimi-k2", FIREWORKS_KEY, "max_tokens"),
    OPENROUTER("claude-or", "openrouter", "anthropic/claude-sonnet-4.5", OPENROUTER_KEY, "max_tokens"),
    SELF_HOSTED("qwen-local", "sglang", "Qwen/Qwen3-Coder-Next", null, "max_tokens");

    final String model;
    final String provider;
    final String upstreamModel;
    final String key;
    final String maxTokensField;

    Profile(String model, String provider, String upstreamModel, String key, String maxTokensField) {
      this.model = model;
      this.provider = provider;
      this.upstreamModel = upstreamModel;
      this.key = key;
      this.maxTokensField = maxTokensField;
    }
  }

  private static final JsonObject WEATHER_SCHEMA = new JsonObject(
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void selfHostedServerTakesNoKey() {
    fake.server().acceptMissingKey();
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void chats(Profile profile) throws Exception {
    HttpResponse<String> response = openAi(chat(profile.model, false, "hello there").put("max_tokens", 50));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject choice = new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0);
    assertEquals("echo: hello there", choice.getJsonObject("message").getString("content"));
    assertEquals(profile.provider, header(response, "x-ensemble-provider"));
    RecordedRequest sent = fake.lastRequest();
    assertEquals("/v1/chat/completions", sent.path());
    assertEquals(profile.upstreamModel, sent.json().getString("model"));
    assertEquals(50, sent.json().getInteger(profile.maxTokensField));
    assertEquals(profile.key == null ? null : "Bearer " + profile.key, sent.header("authorization"));
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void streamsWithUsage(Profile profile) throws Exception {
    fake.enqueue(Reply.text("The quick brown fox").usage(12, 4, 0, 0));
    JsonObject request = chat(profile.model, true, "go").put("stream_options", new JsonObject().put("include_usage", true));

    HttpResponse<String> response = openAi(request);

    assertEquals(200, response.statusCode(), response.body());
    StringBuilder text = new StringBuilder();
    JsonObject usage = null;
    for (JsonObject chunk : dataFrames(response.body())) {
      JsonArray choices = chunk.getJsonArray("choices");
      if (!choices.isEmpty() && choices.getJsonObject(0).getJsonObject("delta").getValue("content") instanceof String s) {
        text.append(s);
      }
      if (chunk.getValue("usage") instanceof JsonObject u) {
        usage = u;
      }
    }
    assertEquals("The quick brown fox", text.toString());
    assertTrue(response.body().trim().endsWith("data: [DONE]"), response.body());
    assertNotNull(usage, response.body());
    assertEquals(12, usage.getInteger("prompt_tokens"));
    assertEquals(4, usage.getInteger("completion_tokens"));
    assertEquals(new JsonObject().put("include_usage", true), fake.lastRequest().json().getJsonObject("stream_options"));
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void aStreamIsSentWithTheUsageAskedForAndTheEndpointsModelInTheClientsOwnBytes(Profile profile) throws Exception {
    fake.enqueue(Reply.text("fox").usage(12, 4, 0, 0));
    String body = "{\"stream\": true, \"model\": \"" + profile.model + "\", \"max_completion_tokens\": 40, \"temperature\": 0.5,"
        + " \"messages\": [{\"role\": \"user\", \"content\": \"go \\u00e9\"}]}";

    HttpResponse<String> response = openAiRaw(body);

    assertEquals(200, response.statusCode(), response.body());
    assertFalse(response.body().contains("\"usage\":{"), "the client did not ask for the usage chunk: " + response.body());
    JsonObject sent = fake.lastRequest().json();
    assertEquals(profile.upstreamModel, sent.getString("model"));
    assertEquals(new JsonObject().put("include_usage", true), sent.getJsonObject("stream_options"));
    assertEquals(40, sent.getInteger(profile.maxTokensField));
    String other = profile.maxTokensField.equals("max_tokens") ? "max_completion_tokens" : "max_tokens";
    assertFalse(sent.containsKey(other), "one output limit, under the upstream's name: " + sent.encode());
    assertEquals(0.5, sent.getDouble("temperature"));
    assertEquals("go \u00e9", sent.getJsonArray("messages").getJsonObject(0).getString("content"));
  }

  @Test
  void fieldsTheGatewayDoesNotCarryAreNotSentOnWhateverTheBodysShape() throws Exception {
    HttpResponse<String> response = openAi(chat("gpt-or", false, "hi").put("seed", 7).put("frequency_penalty", 0.5));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject sent = fake.lastRequest().json();
    assertFalse(sent.containsKey("seed"), sent.encode());
    assertFalse(sent.containsKey("frequency_penalty"), sent.encode());
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void runsAToolCallRoundTrip(Profile profile) throws Exception {
    fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}"));
    JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "get_weather").put("description", "Weather now").put("parameters", WEATHER_SCHEMA));
    JsonObject first = chat(profile.model, false, "Weather in Paris?").put("tools", new JsonArray().add(tool));

    HttpResponse<String> called = openAi(first);

    assertEquals(200, called.statusCode(), called.body());
    JsonObject choice = new JsonObject(called.body()).getJsonArray("choices").getJsonObject(0);
    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertEquals("{\"city\":\"Paris\"}", call.getJsonObject("function").getString("arguments"));
    JsonArray messages = first.getJsonArray("messages").copy()
        .add(new JsonObject().put("role", "assistant").put("content", (String) null).put("tool_calls", new JsonArray().add(call)))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", call.getString("id")).put("content", "18C"));

    HttpResponse<String> answered = openAi(first.copy().put("messages", messages));

    assertEquals(200, answered.statusCode(), answered.body());
    JsonArray sent = fake.lastRequest().json().getJsonArray("messages");
    assertEquals(call.getString("id"), sent.getJsonObject(sent.size() - 1).getString("tool_call_id"));
    assertEquals("echo: Weather in Paris?", new JsonObject(answered.body()).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("message").getString("content"), "the fake echoes the last user turn");
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void reportsCachedAndUncachedInputSeparately(Profile profile) throws Exception {
    fake.enqueue(Reply.text("Hi").usage(100, 7, 2048, 0));

    HttpResponse<String> response = anthropic(message(profile.model, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject usage = new JsonObject(response.body()).getJsonObject("usage");
    assertEquals(100, usage.getInteger("input_tokens"));
    assertEquals(2048, usage.getInteger("cache_read_input_tokens"));
    assertEquals(7, usage.getInteger("output_tokens"));
  }

  @Test
  void openRouterRequestsCarryAttributionPreferencesAndUsageAccounting() throws Exception {
    HttpResponse<String> response = openAi(chat("gpt-or", false, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    RecordedRequest sent = fake.lastRequest();
    assertEquals("https://ensemble.example.com", sent.header("http-referer"));
    assertEquals("Ensemble IT", sent.header("x-title"), "the configured title replaces the profile's");
    assertEquals(1, sent.headers().getAll("x-title").size());
    assertEquals(new JsonObject("{\"order\":[\"anthropic\",\"amazon-bedrock\"],\"allow_fallbacks\":false}"),
        sent.json().getJsonObject("provider"));
    assertEquals(new JsonObject().put("include", true), sent.json().getJsonObject("usage"));
  }

  @Test
  void openRouterPassesCacheMarkersToClaudeOnly() throws Exception {
    JsonObject marked = new JsonObject().put("model", "claude-or").put("max_tokens", 64)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "You are terse.")
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));

    assertEquals(200, anthropic(marked).statusCode());
    JsonObject system = fake.lastRequest().json().getJsonArray("messages").getJsonObject(0);
    assertEquals(new JsonObject().put("type", "ephemeral"), system.getJsonArray("content").getJsonObject(0).getJsonObject("cache_control"));

    assertEquals(200, anthropic(marked.copy().put("model", "gpt-or")).statusCode());
    assertFalse(fake.lastRequest().body().toString().contains("cache_control"));
    assertEquals("You are terse.", fake.lastRequest().json().getJsonArray("messages").getJsonObject(0).getString("content"));
  }

  @Test
  void otherProfilesSendNoOpenRouterExtras() throws Exception {
    for (String model : List.of("grok-test", "kimi-test", "qwen-local")) {
      assertEquals(200, openAi(chat(model, false, "hi")).statusCode());
      RecordedRequest sent = fake.lastRequest();
      assertNull(sent.header("http-referer"), model);
      assertNull(sent.header("x-title"), model);
      assertNull(sent.json().getValue("provider"), model);
      assertNull(sent.json().getValue("usage"), model);
    }
  }

  @Test
  void aSelfHostedServerWithoutAKeyIsServedAndSentNoCredentials() throws Exception {
    HttpResponse<String> response = openAi(chat("qwen-local", false, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("sglang-1", header(response, "x-ensemble-endpoint"));
    assertNull(fake.lastRequest().header("authorization"));
  }

  private static JsonObject chat(String model, boolean stream, String text) {
    return new JsonObject().put("model", model).put("stream", stream).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", text)));
  }

  private static JsonObject message(String model, String text) {
    return new JsonObject().put("model", model).put("max_tokens", 256)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private HttpResponse<String> openAi(JsonObject body) throws Exception {
    return post("/v1/chat/completions", body);
  }

  private HttpResponse<String> anthropic(JsonObject body) throws Exception {
    return post("/v1/messages", body);
  }

  /** A body sent as written (its field order, spacing and escapes), not as a {@code JsonObject} would encode it. */
  private HttpResponse<String> openAiRaw(String body) throws Exception {
    return post("/v1/chat/completions", body);
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return post(path, body.encode());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonObject> dataFrames(String sse) {
    List<JsonObject> frames = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
        frames.add(new JsonObject(line.substring(6)));
      }
    }
    return frames;
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
