package dev.ensemble.providers.vertex;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.FakeVertexExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.fake.ServiceAccountKey;
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
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway in front of a fake Vertex AI and a fake Google token endpoint: OpenAI-format and Anthropic-format
 * clients reach Claude (rawPredict) and Gemini (generateContent) through {@code type: vertex} providers whose keys
 * are generated service-account JSON keys. Provider {@code vtx} has two keys in different projects and regions,
 * {@code solo} one key in the {@code global} region, and {@code oai} (OpenAI format, on another fake) backs up
 * model {@code dual}.
 */
class VertexGatewayIT {

  private static final String CLAUDE = "claude-sonnet-4-5@20250929";

  @RegisterExtension @Order(1) static FakeVertexExtension vertex = new FakeVertexExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  private static ServiceAccountKey keyA;
  private static ServiceAccountKey keyB;
  private static ServiceAccountKey keySolo;
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(oai, f -> {
    keyA = vertex.oauth().newAccount("gateway-a", "proj-a");
    keyB = vertex.oauth().newAccount("gateway-b", "proj-b");
    keySolo = vertex.oauth().newAccount("gateway-solo", "proj-solo");
    return """
        server: { host: 127.0.0.1, port: 0 }
        responses: { local_dir: %s }
        providers:
          vtx:
            type: vertex
            strategy: round_robin
            timeout_ms: 4000
            first_byte_timeout_ms: 1500
            idle_timeout_ms: 1000
            keys:
              - { name: a, api_key: '%s', endpoints: [ { id: vtx-a, region: us-east5, base_url: %s } ] }
              - { name: b, api_key: '%s', endpoints: [ { id: vtx-b, region: projects/billing-proj/locations/europe-west1, base_url: %s } ] }
          solo:
            type: vertex
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: s, api_key: '%s', endpoints: [ { id: solo-1, region: global } ] } ]
          oai:
            type: openai
            base_url: %s
            keys: [ { name: o, api_key: sk-oai-backup-0001, endpoints: [ { id: oai-1 } ] } ]
        models:
          claude-v:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: vtx, model: %s } ]
          gem-v:
            pricing: { input: 0.30, output: 2.50, cache_read: 0.03 }
            providers: [ { provider: vtx, model: gemini-2.5-flash } ]
          claude-solo: { providers: [ { provider: solo, model: claude-haiku-4-5@20251001 } ] }
          dual: { providers: [ { provider: solo, model: gemini-2.5-flash }, { provider: oai, model: gpt-4o-mini } ] }
        """.formatted(GatewayExtension.scratchDir("responses"), keyA.json(), vertex.baseUrl(), keyB.json(), vertex.baseUrl(),
        vertex.baseUrl(), keySolo.json(), f.openAiBaseUrl(), CLAUDE);
  });

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  // --- Claude ----------------------------------------------------------------------------------------------

  @Test
  void anOpenAiClientChatsWithClaudeOnVertex() throws Exception {
    HttpResponse<String> response = openAi(chat("claude-v", false, "hello there"));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("echo: hello there", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    RecordedRequest sent = vertex.lastRequest();
    String owner = owner(sent);
    String expectedPath = owner.equals(keyA.clientEmail())
        ? "/v1/projects/proj-a/locations/us-east5/publishers/anthropic/models/" + CLAUDE + ":rawPredict"
        : "/v1/projects/billing-proj/locations/europe-west1/publishers/anthropic/models/" + CLAUDE + ":rawPredict";
    assertEquals(expectedPath, sent.path());
    assertEquals("vertex-2023-10-16", sent.json().getString("anthropic_version"));
    assertFalse(sent.json().containsKey("model"));
    assertEquals("Be brief.", sent.json().getValue("system") instanceof String s ? s
        : sent.json().getJsonArray("system").getJsonObject(0).getString("text"));
  }

  @Test
  void anAnthropicClientKeepsCacheControlAndSeesCacheUsage() throws Exception {
    vertex.enqueue(Reply.text("Cached.").usage(12, 3, 2048, 0));
    JsonObject request = message("claude-v", false, "hi").put("system", new JsonArray().add(new JsonObject()
        .put("type", "text").put("text", "A long shared prefix.").put("cache_control", new JsonObject().put("type", "ephemeral"))));

    HttpResponse<String> response = anthropic(request);

    assertEquals(200, response.statusCode(), response.body());
    JsonObject usage = new JsonObject(response.body()).getJsonObject("usage");
    assertEquals(12, usage.getInteger("input_tokens"));
    assertEquals(2048, usage.getInteger("cache_read_input_tokens"));
    assertEquals(new JsonObject().put("type", "ephemeral"),
        vertex.lastRequest().json().getJsonArray("system").getJsonObject(0).getJsonObject("cache_control"));
  }

  @Test
  void anOpenAiClientStreamsClaudeThroughStreamRawPredict() throws Exception {
    vertex.enqueue(Reply.text("The quick brown fox").usage(10, 4, 0, 0));

    HttpResponse<String> response = openAi(chat("claude-v", true, "go").put("stream_options", new JsonObject().put("include_usage", true)));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("The quick brown fox", openAiText(response.body()));
    assertTrue(response.body().trim().endsWith("data: [DONE]"), response.body());
    assertTrue(vertex.lastRequest().path().endsWith(":streamRawPredict"), vertex.lastRequest().path());
    assertEquals(Boolean.TRUE, vertex.lastRequest().json().getValue("stream"));
  }

  @Test
  void anAnthropicClientGetsClaudesEventsOnVertexAsVertexSentThemWithTheGatewaysIdAndModel() throws Exception {
    vertex.enqueue(Reply.text("The quick brown fox").usage(10, 4, 0, 0));

    HttpResponse<String> response = anthropic(message("claude-v", true, "go"));

    assertEquals(200, response.statusCode(), response.body());
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    List<String> names = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("event: ")) {
        names.add(line.substring(7));
      }
    }
    // the upstream's order (its ping after the first block's start), not the gateway's rendering (a ping after message_start)
    assertEquals(List.of("message_start", "content_block_start", "ping"), names.subList(0, 3), response.body());
    JsonObject message = dataFrames(response.body()).get(0).getJsonObject("message");
    assertEquals("msg_" + id, message.getString("id"));
    assertEquals("claude-v", message.getString("model"));
    assertEquals("standard", message.getJsonObject("usage").getString("service_tier"), "the upstream's own usage fields: " + message);
    StringBuilder text = new StringBuilder();
    for (JsonObject event : dataFrames(response.body())) {
      if ("content_block_delta".equals(event.getString("type")) && event.getJsonObject("delta").getValue("text") instanceof String s) {
        text.append(s);
      }
    }
    assertEquals("The quick brown fox", text.toString());
  }

  @Test
  void manyRequestsUseOneCachedTokenPerKey() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals(200, anthropic(message("claude-solo", i % 2 == 0, "n" + i)).statusCode());
    }

    Set<String> tokens = vertex.requests().stream().map(r -> r.header("authorization")).collect(Collectors.toSet());
    assertEquals(1, tokens.size(), tokens.toString());
    assertTrue(vertex.oauth().calls() <= 1, "token fetches: " + vertex.oauth().calls());
    assertTrue(vertex.lastRequest().path().startsWith("/v1/projects/proj-solo/locations/global/publishers/anthropic/models/claude-haiku-4-5@20251001:"));
  }

  // --- Gemini ----------------------------------------------------------------------------------------------

  @Test
  void anAnthropicClientStreamsGeminiOnVertex() throws Exception {
    vertex.enqueue(Reply.text("one two three"));

    HttpResponse<String> response = anthropic(message("gem-v", true, "count"));

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().startsWith("event: message_start"), response.body());
    StringBuilder text = new StringBuilder();
    for (JsonObject event : dataFrames(response.body())) {
      if ("content_block_delta".equals(event.getString("type")) && event.getJsonObject("delta").getValue("text") instanceof String s) {
        text.append(s);
      }
    }
    assertEquals("one two three", text.toString());
    RecordedRequest sent = vertex.lastRequest();
    assertTrue(sent.path().endsWith("/publishers/google/models/gemini-2.5-flash:streamGenerateContent"), sent.path());
    assertEquals("alt=sse", sent.query());
  }

  @Test
  void anOpenAiClientChatsWithGeminiOnVertex() throws Exception {
    vertex.enqueue(Reply.text("Hi").usage(100, 7, 2048, 0));

    HttpResponse<String> response = openAi(chat("gem-v", false, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("Hi", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals(2148, body.getJsonObject("usage").getInteger("prompt_tokens"));
    assertTrue(vertex.lastRequest().path().endsWith("/publishers/google/models/gemini-2.5-flash:generateContent"));
    assertEquals(new JsonObject("{\"parts\":[{\"text\":\"Be brief.\"}]}"), vertex.lastRequest().json().getJsonObject("systemInstruction"));
  }

  // --- errors ----------------------------------------------------------------------------------------------

  @Test
  void aVertexQuota429FailsOverToTheOtherKey() throws Exception {
    vertex.server().enqueuePlatformError(429, "RESOURCE_EXHAUSTED",
        "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-claude-sonnet-4-5.");

    HttpResponse<String> response = openAi(chat("claude-v", false, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("failover:429", header(response, "x-ensemble-route-reason"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    List<RecordedRequest> sent = vertex.requests();
    assertNotEquals(owner(sent.get(0)), owner(sent.get(1)));
  }

  @Test
  void aVertexQuota429OnTheOnlyKeyReachesTheClient() throws Exception {
    vertex.server().enqueuePlatformError(429, "RESOURCE_EXHAUSTED", "Quota exceeded.");

    HttpResponse<String> response = anthropic(message("claude-solo", false, "hi"));

    assertEquals(429, response.statusCode(), response.body());
    assertEquals("rate_limit_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void claudeOverloadedOnVertexFailsOverToAnotherProvider() throws Exception {
    vertex.enqueue(Reply.error(503, "UNAVAILABLE", "The model is overloaded."));

    HttpResponse<String> response = openAi(chat("dual", true, "hi"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
  }

  @Test
  void a401FromVertexDisablesTheKeyAndTheOtherKeyServes() throws Exception {
    vertex.oauth().revoke(keyA.clientEmail());

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = openAi(chat("claude-v", false, "hi " + i));
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("vtx-b", header(response, "x-ensemble-endpoint"));
    }
    long toA = vertex.requests().stream().filter(r -> keyA.clientEmail().equals(owner(r))).count();
    assertEquals(1, toA, "key a is tried once, then disabled");
    vertex.server().reset();
    for (int i = 0; i < 2; i++) {
      assertEquals(200, openAi(chat("claude-v", false, "again " + i)).statusCode());
    }
    assertTrue(vertex.requests().stream().noneMatch(r -> keyA.clientEmail().equals(owner(r))), "the disabled key stays out");
  }

  @Test
  void aRevokedOnlyKeyIsAnUpstreamAuthFailure() throws Exception {
    vertex.oauth().revoke(keySolo.clientEmail());

    HttpResponse<String> response = openAi(chat("claude-solo", false, "hi"));

    assertEquals(502, response.statusCode(), response.body());
    assertEquals("upstream_auth_failed", new JsonObject(response.body()).getJsonObject("error").getString("code"));
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private static String owner(RecordedRequest request) {
    String authorization = request.header("authorization");
    return authorization == null ? null : vertex.oauth().ownerOf(authorization.substring("Bearer ".length()));
  }

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

  private static String openAiText(String sse) {
    StringBuilder text = new StringBuilder();
    for (JsonObject chunk : dataFrames(sse)) {
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices != null && !choices.isEmpty() && choices.getJsonObject(0).getJsonObject("delta").getValue("content") instanceof String s) {
        text.append(s);
      }
    }
    return text.toString();
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
