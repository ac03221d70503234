package dev.ensemble.providers.bedrock;

import dev.ensemble.testing.fake.FakeBedrock;
import dev.ensemble.testing.fake.FakeBedrockExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
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
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway with {@code type: bedrock} providers whose endpoints point at {@link FakeBedrock}: {@code br} with
 * two endpoints in two regions (failover on throttling), {@code br1} with one.
 */
class BedrockIT {

  private static final String UPSTREAM_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";

  @RegisterExtension @Order(1) static FakeBedrockExtension bedrock = new FakeBedrockExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension unused = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(unused, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %s }
      providers:
        br:
          type: bedrock
          base_url: %s
          strategy: round_robin
          first_byte_timeout_ms: 3000
          keys:
            - { name: east, api_key: "AKIDEAST:secret-east", endpoints: [ { id: br-east, region: us-east-1 } ] }
            - { name: west, api_key: "AKIDWEST:secret-west", endpoints: [ { id: br-west, region: us-west-2 } ] }
        br1:
          type: bedrock
          base_url: %s
          keys:
            - { name: only, api_key: "AKIDONLY:secret", endpoints: [ { id: br1-1, region: eu-central-1 } ] }
      models:
        claude-br:
          pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
          providers: [ { provider: br, model: %s } ]
        claude-br1:
          providers: [ { provider: br1, model: %s } ]
      """.formatted(GatewayExtension.scratchDir("responses"), bedrock.baseUrl(), bedrock.baseUrl(), UPSTREAM_MODEL, UPSTREAM_MODEL));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void answersAnOpenAiClientFromBedrock() throws Exception {
    bedrock.enqueue(Reply.text("Bonjour from Bedrock").usage(20, 5, 1024, 0));

    HttpResponse<String> response = post("/v1/chat/completions", openAi("claude-br", false));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("Bonjour from Bedrock", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals(20 + 1024, body.getJsonObject("usage").getInteger("prompt_tokens"));
    assertEquals(1024, body.getJsonObject("usage").getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));
    assertTrue(response.headers().firstValue("X-Ensemble-Provider").orElse("").equals("br"));
    RecordedRequest recorded = bedrock.lastRequest();
    assertEquals(UPSTREAM_MODEL, FakeBedrock.modelId(recorded));
    assertEquals("bedrock-2023-05-31", recorded.json().getString("anthropic_version"));
    assertFalse(recorded.json().containsKey("model"));
  }

  @Test
  void streamsToAnAnthropicClientWithCacheControlPassedThrough() throws Exception {
    bedrock.enqueue(Reply.text("streamed words arrive").usage(9, 3, 0, 2048));
    JsonObject request = new JsonObject().put("model", "claude-br").put("max_tokens", 100).put("stream", true)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "Be brief.")
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello")));

    HttpResponse<String> response = post("/v1/messages", request);

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("event: message_start"), response.body());
    assertTrue(response.body().contains("\"cache_creation_input_tokens\":2048"), response.body());
    assertTrue(response.body().contains("event: message_stop"), response.body());
    StringBuilder text = new StringBuilder();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("data: ") && line.contains("text_delta")) {
        text.append(new JsonObject(line.substring(6)).getJsonObject("delta").getString("text"));
      }
    }
    assertEquals("streamed words arrive", text.toString());
    // Bedrock's events as it sent them (its invocation metrics on message_stop), with the gateway's id and model
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertTrue(response.body().contains("\"id\":\"msg_" + id + "\""), response.body());
    assertTrue(response.body().contains("\"model\":\"claude-br\""), response.body());
    assertTrue(response.body().contains("\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":9"), response.body());
    RecordedRequest recorded = bedrock.lastRequest();
    assertTrue(recorded.path().endsWith("/invoke-with-response-stream"));
    assertEquals(new JsonObject().put("type", "ephemeral"),
        recorded.json().getJsonArray("system").getJsonObject(0).getJsonObject("cache_control"));
    assertFalse(recorded.json().containsKey("stream"));
  }

  @Test
  void streamsToAnOpenAiClient() throws Exception {
    bedrock.enqueue(Reply.text("chunked reply"));

    HttpResponse<String> response = post("/v1/chat/completions", openAi("claude-br", true));

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("chunked"), response.body());
    assertTrue(response.body().trim().endsWith("data: [DONE]"), response.body());
  }

  @Test
  void roundTripsAToolCall() throws Exception {
    bedrock.enqueue(Reply.toolCall("toolu_bdrk_01", "get_weather", "{\"city\":\"Paris\"}"), Reply.text("It is sunny."));
    JsonArray tools = new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "get_weather").put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string"))))));
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", "Weather in Paris?"));

    HttpResponse<String> first = post("/v1/chat/completions", new JsonObject().put("model", "claude-br").put("tools", tools)
        .put("messages", messages));

    assertEquals(200, first.statusCode(), first.body());
    JsonObject assistant = new JsonObject(first.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    JsonObject call = assistant.getJsonArray("tool_calls").getJsonObject(0);
    assertEquals("toolu_bdrk_01", call.getString("id"));
    assertEquals("{\"city\":\"Paris\"}", call.getJsonObject("function").getString("arguments"));

    messages.add(assistant).add(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_bdrk_01").put("content", "sunny, 21C"));
    HttpResponse<String> second = post("/v1/chat/completions", new JsonObject().put("model", "claude-br").put("tools", tools)
        .put("messages", messages));

    assertEquals(200, second.statusCode(), second.body());
    assertEquals("It is sunny.", new JsonObject(second.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content"));
    JsonArray sent = bedrock.lastRequest().json().getJsonArray("messages");
    JsonObject toolResult = sent.getJsonObject(2).getJsonArray("content").getJsonObject(0);
    assertEquals("tool_result", toolResult.getString("type"));
    assertEquals("toolu_bdrk_01", toolResult.getString("tool_use_id"));
  }

  @Test
  void throttlingFailsOverToTheOtherRegionsEndpoint() throws Exception {
    bedrock.enqueue(Reply.error(429, "ThrottlingException", "Too many requests, please wait before trying again."), Reply.text("second try"));

    HttpResponse<String> response = post("/v1/chat/completions", openAi("claude-br", false));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("2", response.headers().firstValue("X-Ensemble-Attempts").orElse(null));
    List<RecordedRequest> requests = bedrock.requests();
    assertEquals(2, requests.size());
    Set<String> regions = requests.stream().map(FakeBedrock::signedRegion).collect(Collectors.toSet());
    assertEquals(Set.of("us-east-1", "us-west-2"), regions);
    Set<String> keys = requests.stream().map(FakeBedrock::signedAccessKey).collect(Collectors.toSet());
    assertEquals(Set.of("AKIDEAST", "AKIDWEST"), keys);
  }

  @Test
  void throttlingOnTheOnlyEndpointIsA429() throws Exception {
    bedrock.enqueue(Reply.error(429, "ThrottlingException", "Too many requests"));

    HttpResponse<String> response = post("/v1/chat/completions", openAi("claude-br1", false));

    assertEquals(429, response.statusCode(), response.body());
    assertNotNull(response.headers().firstValue("retry-after").orElse(null));
    assertEquals("eu-central-1", FakeBedrock.signedRegion(bedrock.lastRequest()));
  }

  @Test
  void aValidationErrorIsReturnedAtOnce() throws Exception {
    bedrock.enqueue(Reply.error(400, "ValidationException", "messages: too long"));

    HttpResponse<String> response = post("/v1/chat/completions", openAi("claude-br", false));

    assertEquals(400, response.statusCode(), response.body());
    assertEquals(1, bedrock.requests().size());
  }

  private static JsonObject openAi(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello")));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
