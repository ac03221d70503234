package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeGemini;
import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.FakeVertexExtension;
import dev.ensemble.testing.fake.GeminiReply;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.ServiceAccountKey;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1beta/models/{model}:countTokens} over raw HTTP: a whole {@code generateContentRequest} (system
 * instruction and tools counted) forwarded to Gemini's and Vertex AI's own {@code countTokens}, the gateway's estimate
 * where the upstream has no count call (said in {@code X-Ensemble-Token-Count}), failover on a 429, a ledger row with
 * no tokens and no cost, a client's {@code rpm_limit}, and bad requests as Google's 400 naming the field, sent nowhere.
 */
class GeminiCountTokensIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(3) static FakeVertexExtension vertex = new FakeVertexExtension();
  @RegisterExtension @Order(4) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> {
    ServiceAccountKey account = vertex.oauth().newAccount("count", "proj-count");
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        responses: { local_dir: %s }
        providers:
          oai:
            type: openai
            base_url: %s
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
          gem:
            type: gemini
            base_url: %s
            strategy: round_robin
            timeout_ms: 4000
            keys:
              - { name: a, api_key: AIza-count-a, endpoints: [ { id: gem-a } ] }
              - { name: b, api_key: AIza-count-b, endpoints: [ { id: gem-b } ] }
          vtx:
            type: vertex
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: sa, api_key: '%s', endpoints: [ { id: vtx-1, region: us-central1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
          gemini-test:
            pricing: { input: 0.30, output: 2.50 }
            providers: [ { provider: gem, model: gemini-2.5-flash } ]
          vertex-test:
            pricing: { input: 0.30, output: 2.50 }
            providers: [ { provider: vtx, model: gemini-2.5-pro } ]
        """.formatted(UpstreamChecks.ADMIN_KEY, GatewayExtension.scratchDir("responses"), f.openAiBaseUrl(), GatewayExtension.OPENAI_KEY,
        gemini.baseUrl(), vertex.baseUrl(), account.json());
  });

  private static final JsonObject GENERATE = new JsonObject()
      .put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", "You are terse."))))
      .put("contents", new JsonArray().add(new JsonObject().put("role", "user")
          .put("parts", new JsonArray().add(new JsonObject().put("text", "What is the weather in Paris?")))))
      .put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", new JsonArray().add(new JsonObject()
          .put("name", "get_weather").put("description", "Current weather of a city")
          .put("parameters", new JsonObject().put("type", "OBJECT")
              .put("properties", new JsonObject().put("city", new JsonObject().put("type", "STRING"))))))));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void aGenerateContentRequestIsCountedByGeminiWithItsSystemInstructionAndTools() throws Exception {
    HttpResponse<String> r = count("gemini-test", new JsonObject().put("generateContentRequest",
        GENERATE.copy().put("model", "models/gemini-test")));

    assertEquals(200, r.statusCode(), r.body());
    RecordedRequest sent = gemini.lastRequest();
    assertEquals("/v1beta/models/gemini-2.5-flash:countTokens", sent.path());
    JsonObject generate = sent.json().getJsonObject("generateContentRequest");
    assertEquals("models/gemini-2.5-flash", generate.remove("model"));
    assertTrue(generate.containsKey("systemInstruction") && generate.containsKey("tools"), generate.encode());
    JsonObject body = new JsonObject(r.body());
    assertEquals(FakeGemini.countedTokens(generate), body.getInteger("totalTokens"));
    assertEquals(new JsonArray().add(new JsonObject().put("modality", "TEXT").put("tokenCount", body.getInteger("totalTokens"))),
        body.getJsonArray("promptTokensDetails"));
    assertEquals("provider", r.headers().firstValue("x-ensemble-token-count").orElseThrow());
    assertEquals("gem", r.headers().firstValue("x-ensemble-provider").orElseThrow());
  }

  @Test
  void vertexCountsGooglesModelsWithItsOwnCall() throws Exception {
    HttpResponse<String> r = count("vertex-test", new JsonObject().put("generateContentRequest", GENERATE));

    assertEquals(200, r.statusCode(), r.body());
    RecordedRequest sent = vertex.lastRequest();
    assertEquals("/v1/projects/proj-count/locations/us-central1/publishers/google/models/gemini-2.5-pro:countTokens", sent.path());
    assertTrue(sent.header("authorization").startsWith("Bearer "));
    assertEquals(new JsonObject(r.body()).getInteger("totalTokens"), FakeGemini.countedTokens(sent.json()));
    assertEquals("provider", r.headers().firstValue("x-ensemble-token-count").orElseThrow());
  }

  @Test
  void anUpstreamWithoutACountCallGetsTheGatewaysEstimateAndNoRequest() throws Exception {
    int before = fake.requestCount();

    HttpResponse<String> r = count("gpt-test", new JsonObject().put("contents", GENERATE.getJsonArray("contents")));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(new JsonObject().put("totalTokens", (29 + 3) / 4), new JsonObject(r.body()));
    assertEquals("estimate", r.headers().firstValue("x-ensemble-token-count").orElseThrow());
    assertEquals("oai", r.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertEquals(before, fake.requestCount());
  }

  @Test
  void aRateLimitedKeyFailsOverToTheOtherAndTheCountCostsNothing() throws Exception {
    gemini.enqueue(GeminiReply.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded"));

    HttpResponse<String> r = count("gemini-test", new JsonObject().put("contents", GENERATE.getJsonArray("contents")));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("2", r.headers().firstValue("x-ensemble-attempts").orElseThrow());
    Object[] row = ledger(r.headers().firstValue("x-ensemble-request-id").orElseThrow());
    assertEquals(0L, row[0], "cost");
    assertEquals(0L, ((Number) row[1]).longValue(), "input tokens");
    assertEquals(200, row[2]);
  }

  @Test
  void aClientsRequestLimitCountsCountCalls() throws Exception {
    String key = gateway.createClient(UpstreamChecks.ADMIN_KEY, new JsonObject().put("name", "counter").put("rpm_limit", 1)).getString("key");
    JsonObject body = new JsonObject().put("contents", GENERATE.getJsonArray("contents"));

    assertEquals(200, count("gpt-test", body, key).statusCode());
    HttpResponse<String> limited = count("gpt-test", body, key);

    assertEquals(429, limited.statusCode(), limited.body());
    assertEquals("RESOURCE_EXHAUSTED", new JsonObject(limited.body()).getJsonObject("error").getString("status"));
  }

  @Test
  void contentsAndAGenerateContentRequestTogetherAreRefusedUnsent() throws Exception {
    int before = gemini.requestCount();

    HttpResponse<String> r = count("gemini-test", new JsonObject().put("contents", GENERATE.getJsonArray("contents"))
        .put("generateContentRequest", GENERATE));

    assertInvalid(r, "generateContentRequest");
    assertEquals(before, gemini.requestCount());
  }

  @Test
  void aBadFieldInsideTheGenerateContentRequestIsNamedWithItsPath() throws Exception {
    JsonObject bad = GENERATE.copy().put("contents", new JsonArray().add(new JsonObject().put("role", "robot")
        .put("parts", new JsonArray().add(new JsonObject().put("text", "hi")))));

    assertInvalid(count("gemini-test", new JsonObject().put("generateContentRequest", bad)), "generateContentRequest.contents[0].role");
    assertInvalid(count("gemini-test", new JsonObject()), "contents");
  }

  @Test
  void anUnknownModelIsGooglesNotFound() throws Exception {
    HttpResponse<String> r = count("no-such-model", new JsonObject().put("contents", GENERATE.getJsonArray("contents")));

    assertEquals(404, r.statusCode(), r.body());
    assertEquals("NOT_FOUND", new JsonObject(r.body()).getJsonObject("error").getString("status"));
  }

  private static void assertInvalid(HttpResponse<String> r, String field) {
    assertEquals(400, r.statusCode(), r.body());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertEquals("INVALID_ARGUMENT", error.getString("status"));
    assertEquals(400, error.getInteger("code"));
    assertTrue(error.getString("message").startsWith(field + ":"), error.getString("message"));
    assertFalse(r.body().contains("Exception"), r.body());
    assertNull(r.headers().firstValue("x-ensemble-token-count").orElse(null));
  }

  private HttpResponse<String> count(String model, JsonObject body) throws Exception {
    return count(model, body, UpstreamChecks.clientKey(gateway));
  }

  private HttpResponse<String> count(String model, JsonObject body, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1beta/models/" + model + ":countTokens"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("x-goog-api-key", key)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The ledger row of a request: cost (10^-10 USD), input tokens, status. */
  private Object[] ledger(String requestId) throws Exception {
    HttpResponse<String> usage = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/usage"))
        .header("Authorization", "Bearer " + UpstreamChecks.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, usage.statusCode(), usage.body());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT cost_e10_usd, input_tokens, status FROM usage_ledger WHERE request_id = '"
             + requestId + "'")) {
      assertTrue(rs.next(), "no ledger row for " + requestId);
      return new Object[] {rs.getLong(1), rs.getObject(2), rs.getInt(3)};
    }
  }
}
