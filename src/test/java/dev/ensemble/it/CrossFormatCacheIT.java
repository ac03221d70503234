package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One conversation whose turns arrive in three client formats (Chat Completions, then the Responses API, then
 * Gemini's generateContent) against a three-key OpenAI pool whose fake simulates OpenAI's automatic prompt cache
 * per key: every turn reaches the same key with a byte-identical prefix, so the later turns read the prefix from
 * the cache, and each format reports it in its own usage field.
 */
class CrossFormatCacheIT {

  private static final String SYSTEM = "You are a meticulous assistant for a large codebase. ".repeat(180);

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %s }
      providers:
        oai:
          type: openai
          base_url: %s
          strategy: session_affinity
          keys:
            - { name: k1, api_key: sk-test-xfmt-0001, endpoints: [ { id: oai-1 } ] }
            - { name: k2, api_key: sk-test-xfmt-0002, endpoints: [ { id: oai-2 } ] }
            - { name: k3, api_key: sk-test-xfmt-0003, endpoints: [ { id: oai-3 } ] }
      models:
        gpt: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
      """.formatted(GatewayExtension.scratchDir("responses"), f.openAiBaseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void aConversationKeepsItsPromptCacheWhicheverFormatEachTurnArrivesIn() throws Exception {
    HttpResponse<String> chat = post("/v1/chat/completions", new JsonObject().put("model", "gpt").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", SYSTEM))
        .add(new JsonObject().put("role", "user").put("content", "Question one"))));
    assertEquals(200, chat.statusCode(), chat.body());
    String endpoint = chat.headers().firstValue("x-ensemble-endpoint").orElseThrow();
    String answer = new JsonObject(chat.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");

    HttpResponse<String> responses = post("/v1/responses", new JsonObject().put("model", "gpt").put("instructions", SYSTEM)
        .put("input", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "Question one"))
            .add(new JsonObject().put("role", "assistant").put("content", answer))
            .add(new JsonObject().put("role", "user").put("content", "Question two"))));
    assertEquals(200, responses.statusCode(), responses.body());
    assertEquals(endpoint, responses.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    long cachedByResponses = new JsonObject(responses.body()).getJsonObject("usage").getJsonObject("input_tokens_details")
        .getLong("cached_tokens");
    assertTrue(cachedByResponses >= 1024, "the Responses turn reads the prefix the chat turn cached: " + responses.body());

    HttpResponse<String> gemini = post("/v1beta/models/gpt:generateContent", new JsonObject()
        .put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", SYSTEM))))
        .put("contents", new JsonArray()
            .add(turn("user", "Question one")).add(turn("model", answer))
            .add(turn("user", "Question two")).add(turn("model", "echo: Question two")).add(turn("user", "Question three"))));
    assertEquals(200, gemini.statusCode(), gemini.body());
    assertEquals(endpoint, gemini.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    long cachedByGemini = new JsonObject(gemini.body()).getJsonObject("usageMetadata").getLong("cachedContentTokenCount", 0L);
    assertTrue(cachedByGemini >= cachedByResponses, "the Gemini turn reads at least that prefix: " + gemini.body());
  }

  private static JsonObject turn(String role, String text) {
    return new JsonObject().put("role", role).put("parts", new JsonArray().add(new JsonObject().put("text", text)));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }
}
