package dev.ensemble.providers.gemini;

import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.GeminiReply;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway in front of the fake Gemini API: OpenAI-format and Anthropic-format clients chat, stream and
 * run tool calls through a {@code type: gemini} provider, and Gemini's errors drive failover. Provider
 * {@code gem} has two keys, {@code solo} one, and {@code oai} (OpenAI format, on another fake) backs up model
 * {@code dual}.
 */
class GeminiGatewayIT {

  private static final String KEY_A = "AIza-test-gemini-key-aaaa";
  private static final String KEY_B = "AIza-test-gemini-key-bbbb";
  private static final String SOLO_KEY = "AIza-test-gemini-key-solo";

  @RegisterExtension @Order(1) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(oai, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %s }
      providers:
        gem:
          type: gemini
          base_url: %s
          strategy: round_robin
          timeout_ms: 4000
          first_byte_timeout_ms: 1500
          idle_timeout_ms: 1000
          keys:
            - { name: a, api_key: %s, endpoints: [ { id: gem-a } ] }
            - { name: b, api_key: %s, endpoints: [ { id: gem-b } ] }
        solo:
          type: gemini
          base_url: %s
          timeout_ms: 4000
          keys: [ { name: s, api_key: %s, endpoints: [ { id: solo-1 } ] } ]
        oai:
          type: openai
          base_url: %s
          keys: [ { name: o, api_key: sk-oai-backup-0001, endpoints: [ { id: oai-1 } ] } ]
      models:
        gem-test:
          pricing: { input: 0.30, output: 2.50, cache_read: 0.03 }
          providers: [ { provider: gem, model: gemini-2.5-flash } ]
        gem-solo: { providers: [ { provider: solo, model: gemini-2.5-flash } ] }
        dual: { providers: [ { provider: solo, model: gemini-2.5-flash }, { provider: oai, model: gpt-4o-mini } ] }
      """.formatted(GatewayExtension.scratchDir("responses"), gemini.baseUrl(), KEY_A, KEY_B, gemini.baseUrl(), SOLO_KEY,
      f.openAiBaseUrl()));

  private static final JsonObject WEATHER_SCHEMA = new JsonObject("""
      {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
       "properties":{"city":{"type":"string"},"unit":{"type":["string","null"],"enum":["c","f"]}},"required":["city"]}""");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  // --- OpenAI-format client --------------------------------------------------------------------------------

  @Test
  void anOpenAiClientChatsWithGemini() throws Exception {
    HttpResponse<String> response = openAi(chat("gem-test", false, "hello there"));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("echo: hello there", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals("stop", body.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    assertEquals("gem", header(response, "x-ensemble-provider"));
    RecordedRequest sent = gemini.lastRequest();
    assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", sent.path());
    assertNull(sent.query());
    assertTrue(List.of(KEY_A, KEY_B).contains(sent.header("x-goog-api-key")));
    assertNull(sent.header("authorization"), "the key travels only in x-goog-api-key");
    assertEquals(new JsonObject("{\"parts\":[{\"text\":\"Be brief.\"}]}"), sent.json().getJsonObject("systemInstruction"));
    assertEquals("user", sent.json().getJsonArray("contents").getJsonObject(0).getString("role"));
  }

  @Test
  void cachedTokensAreReportedAsOpenAiCachedPromptTokens() throws Exception {
    gemini.enqueue(Reply.text("Hi").usage(100, 7, 2048, 0));

    JsonObject usage = new JsonObject(openAi(chat("gem-test", false, "hi")).body()).getJsonObject("usage");

    assertEquals(2148, usage.getInteger("prompt_tokens"));
    assertEquals(2048, usage.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));
    assertEquals(7, usage.getInteger("completion_tokens"));
  }

  @Test
  void anOpenAiClientStreamsFromGemini() throws Exception {
    gemini.enqueue(Reply.text("The quick brown fox").usage(10, 4, 0, 0));
    JsonObject request = chat("gem-test", true, "go").put("stream_options", new JsonObject().put("include_usage", true));

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
    assertEquals(10, usage.getInteger("prompt_tokens"));
    assertEquals(4, usage.getInteger("completion_tokens"));
    assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent", gemini.lastRequest().path());
    assertEquals("alt=sse", gemini.lastRequest().query());
  }

  @Test
  void anOpenAiClientRunsAToolCallRoundTripThroughGemini() throws Exception {
    gemini.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\",\"unit\":\"c\"}"));
    JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "get_weather").put("description", "Weather now").put("parameters", WEATHER_SCHEMA));
    JsonObject first = chat("gem-test", false, "Weather in Paris?").put("tools", new JsonArray().add(tool));

    HttpResponse<String> called = openAi(first);

    assertEquals(200, called.statusCode(), called.body());
    JsonObject choice = new JsonObject(called.body()).getJsonArray("choices").getJsonObject(0);
    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertEquals("get_weather", call.getJsonObject("function").getString("name"));
    assertEquals(new JsonObject("{\"city\":\"Paris\",\"unit\":\"c\"}"), new JsonObject(call.getJsonObject("function").getString("arguments")));
    JsonObject declared = gemini.lastRequest().json().getJsonArray("tools").getJsonObject(0)
        .getJsonArray("functionDeclarations").getJsonObject(0);
    assertFalse(declared.getJsonObject("parameters").containsKey("additionalProperties"));

    JsonArray messages = first.getJsonArray("messages").copy()
        .add(new JsonObject().put("role", "assistant").put("content", (String) null)
            .put("tool_calls", new JsonArray().add(call)))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", call.getString("id")).put("content", "{\"temp_c\":18}"));
    HttpResponse<String> answered = openAi(first.copy().put("messages", messages));

    assertEquals(200, answered.statusCode(), answered.body());
    JsonArray contents = gemini.lastRequest().json().getJsonArray("contents");
    assertEquals(3, contents.size());
    JsonObject functionCall = contents.getJsonObject(1).getJsonArray("parts").getJsonObject(0);
    assertEquals("model", contents.getJsonObject(1).getString("role"));
    assertEquals(new JsonObject("{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\",\"unit\":\"c\"}}"), functionCall.getJsonObject("functionCall"));
    assertEquals(new JsonObject("{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"temp_c\":18}}}"),
        contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0));
    assertEquals("echo: {\"temp_c\":18}", new JsonObject(answered.body()).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("message").getString("content"));
  }

  // --- Anthropic-format client -----------------------------------------------------------------------------

  @Test
  void anAnthropicClientChatsWithGeminiAndSeesCacheReads() throws Exception {
    gemini.enqueue(Reply.text("Bonjour").usage(30, 3, 2048, 0));

    HttpResponse<String> response = anthropic(message("gem-test", false, "Say hi in French"));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("Bonjour", body.getJsonArray("content").getJsonObject(0).getString("text"));
    assertEquals("end_turn", body.getString("stop_reason"));
    assertEquals(30, body.getJsonObject("usage").getInteger("input_tokens"));
    assertEquals(2048, body.getJsonObject("usage").getInteger("cache_read_input_tokens"));
    assertEquals(3, body.getJsonObject("usage").getInteger("output_tokens"));
  }

  @Test
  void anAnthropicClientStreamsFromGemini() throws Exception {
    gemini.enqueue(Reply.text("one two three").thinking("Counting up.", null));

    HttpResponse<String> response = anthropic(message("gem-test", true, "count"));

    assertEquals(200, response.statusCode(), response.body());
    String body = response.body();
    assertTrue(body.startsWith("event: message_start"), body);
    assertTrue(body.contains("event: message_stop"), body);
    StringBuilder text = new StringBuilder();
    for (JsonObject event : dataFrames(body)) {
      if ("content_block_delta".equals(event.getString("type")) && event.getJsonObject("delta").getValue("text") instanceof String s) {
        text.append(s);
      }
    }
    assertEquals("one two three", text.toString());
  }

  @Test
  void anAnthropicClientRunsAStreamedToolCallRoundTripThroughGemini() throws Exception {
    gemini.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Oslo\"}").withText("Let me check."));
    JsonObject tool = new JsonObject().put("name", "get_weather").put("description", "Weather now").put("input_schema", WEATHER_SCHEMA);
    JsonObject first = message("gem-test", true, "Weather in Oslo?").put("tools", new JsonArray().add(tool));

    HttpResponse<String> called = anthropic(first);

    assertEquals(200, called.statusCode(), called.body());
    String toolId = null;
    StringBuilder arguments = new StringBuilder();
    String stopReason = null;
    for (JsonObject event : dataFrames(called.body())) {
      if ("content_block_start".equals(event.getString("type"))
          && "tool_use".equals(event.getJsonObject("content_block").getString("type"))) {
        toolId = event.getJsonObject("content_block").getString("id");
      } else if ("content_block_delta".equals(event.getString("type"))
          && event.getJsonObject("delta").getValue("partial_json") instanceof String s) {
        arguments.append(s);
      } else if ("message_delta".equals(event.getString("type"))) {
        stopReason = event.getJsonObject("delta").getString("stop_reason");
      }
    }
    assertEquals("tool_use", stopReason);
    assertEquals(new JsonObject("{\"city\":\"Oslo\"}"), new JsonObject(arguments.toString()));
    assertTrue(toolId.startsWith("call_"), toolId);

    JsonArray messages = first.getJsonArray("messages").copy()
        .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "Let me check."))
            .add(new JsonObject().put("type", "tool_use").put("id", toolId).put("name", "get_weather")
                .put("input", new JsonObject().put("city", "Oslo")))))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "tool_result").put("tool_use_id", toolId).put("content", "rain, 7C"))));
    HttpResponse<String> answered = anthropic(first.copy().put("stream", false).put("messages", messages));

    assertEquals(200, answered.statusCode(), answered.body());
    JsonArray contents = gemini.lastRequest().json().getJsonArray("contents");
    JsonArray modelParts = contents.getJsonObject(1).getJsonArray("parts");
    assertEquals(new JsonObject().put("text", "Let me check."), modelParts.getJsonObject(0));
    assertEquals("get_weather", modelParts.getJsonObject(1).getJsonObject("functionCall").getString("name"));
    assertEquals(new JsonObject("{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"output\":\"rain, 7C\"}}}"),
        contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0));
  }

  // --- errors ----------------------------------------------------------------------------------------------

  @Test
  void a429WithRetryInfoFailsOverToTheSecondKey() throws Exception {
    gemini.enqueue(GeminiReply.error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota").retryDelay("20s"));

    HttpResponse<String> response = openAi(chat("gem-test", false, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("failover:429", header(response, "x-ensemble-route-reason"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    List<RecordedRequest> sent = gemini.requests();
    assertNotEquals(sent.get(0).header("x-goog-api-key"), sent.get(1).header("x-goog-api-key"));
  }

  @Test
  void a429WithRetryInfoOnTheOnlyKeyReachesTheClientWithRetryAfter() throws Exception {
    gemini.enqueue(GeminiReply.error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota").retryDelay("7s"));

    HttpResponse<String> response = anthropic(message("gem-solo", false, "hi"));

    assertEquals(429, response.statusCode(), response.body());
    assertEquals("rate_limit_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
    assertEquals("7", header(response, "retry-after"));
  }

  @Test
  void a503FailsOverToAnotherProvider() throws Exception {
    gemini.enqueue(GeminiReply.error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."));

    HttpResponse<String> response = openAi(chat("dual", true, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertEquals("failover:503", header(response, "x-ensemble-route-reason"));
  }

  @Test
  void a503WithNowhereElseToGoIsA503() throws Exception {
    gemini.enqueue(GeminiReply.error(503, "UNAVAILABLE", "The model is overloaded."),
        GeminiReply.error(503, "UNAVAILABLE", "The model is overloaded."),
        GeminiReply.error(503, "UNAVAILABLE", "The model is overloaded."));

    HttpResponse<String> response = openAi(chat("gem-solo", false, "hi"));

    assertTrue(response.statusCode() == 503 || response.statusCode() == 502, response.statusCode() + " " + response.body());
    assertEquals("server_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void anInvalidKeyIsAnUpstreamAuthFailureNotTheClientsFault() throws Exception {
    gemini.server().acceptKeys("some-other-key");

    HttpResponse<String> response = openAi(chat("gem-solo", false, "hi"));

    assertEquals(502, response.statusCode(), response.body());
    assertEquals("upstream_auth_failed", new JsonObject(response.body()).getJsonObject("error").getString("code"));
  }

  @Test
  void aBlockedPromptIsA400ForAStreamingClient() throws Exception {
    gemini.enqueue(GeminiReply.blockedPrompt("PROHIBITED_CONTENT"));

    HttpResponse<String> response = anthropic(message("gem-solo", true, "something bad"));

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("invalid_request_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
    assertEquals(1, gemini.requestCount(), "a permanent refusal is not retried");
  }

  @Test
  void aBlockedPromptIsA400ForANonStreamingClientToo() throws Exception {
    gemini.enqueue(GeminiReply.blockedPrompt("SAFETY"));

    HttpResponse<String> response = openAi(chat("gem-solo", false, "something bad"));

    assertEquals(400, response.statusCode(), response.body());
    assertEquals(1, gemini.requestCount(), "a permanent refusal is not retried");
  }

  @Test
  void aStreamCutAfterTheFirstBytesEndsWithAnErrorEvent() throws Exception {
    gemini.enqueue(Reply.text("alpha beta gamma delta").cutAfterEvents(2));

    HttpResponse<String> response = openAi(chat("gem-solo", true, "go"));

    assertEquals(200, response.statusCode());
    List<JsonObject> frames = dataFrames(response.body());
    assertTrue(frames.get(frames.size() - 1).containsKey("error"), response.body());
    assertFalse(response.body().contains("[DONE]"), response.body());
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private static JsonObject chat(String model, boolean stream, String text) {
    return new JsonObject().put("model", model).put("stream", stream).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", text)));
  }

  private static JsonObject message(String model, boolean stream, String text) {
    return new JsonObject().put("model", model).put("max_tokens", 256).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private HttpResponse<String> openAi(JsonObject body) throws Exception {
    return post("/v1/chat/completions", body);
  }

  private HttpResponse<String> anthropic(JsonObject body) throws Exception {
    return post("/v1/messages", body);
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
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
