package dev.ensemble.providers.gemini;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.GeminiReply;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/embeddings} through a real gateway to the fake Gemini API's {@code :embedContent} and
 * {@code :batchEmbedContents}: the OpenAI Java SDK, dimensions, base64, failover to a second key on a 429, the
 * token-id refusal, and the ledger row billed on the estimated input (Gemini reports no token counts).
 */
class GeminiEmbeddingsGatewayIT {

  private static final String KEY_A = "AIza-test-gemini-emb-aaaa";
  private static final String KEY_B = "AIza-test-gemini-emb-bbbb";
  private static final String ADMIN_KEY = "admin-gemini-emb-0123456789";

  @RegisterExtension @Order(1) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(oai, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: %s }
      responses: { local_dir: %s }
      providers:
        gem:
          type: gemini
          base_url: %s
          strategy: round_robin
          timeout_ms: 4000
          keys:
            - { name: a, api_key: %s, endpoints: [ { id: gem-a } ] }
            - { name: b, api_key: %s, endpoints: [ { id: gem-b } ] }
      models:
        gem-emb:
          kind: embedding
          pricing: { input: 0.15 }
          cache: { mode: none }
          providers: [ { provider: gem, model: gemini-embedding-001 } ]
      """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), gemini.baseUrl(), KEY_A, KEY_B));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static String clientKey;
  private OpenAIClient client;

  @BeforeEach
  void sdk() {
    if (clientKey == null) {
      clientKey = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "gemini-embeddings-it")).getString("key");
    }
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(clientKey).maxRetries(0).build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void oneTextThroughTheSdkIsOneEmbedContentCallBilledOnTheEstimatedInput() throws Exception {
    var raw = client.embeddings().withRawResponse().create(EmbeddingCreateParams.builder().model("gem-emb")
        .input("hello world").build());
    CreateEmbeddingResponse response = raw.parse();

    assertEquals(1, response.data().size());
    assertEquals(vector("hello world", 8), response.data().get(0).embedding());
    assertEquals("gem-emb", response.model());
    // no token counts from Gemini: ceil(11 / 4) = 3 estimated
    assertEquals(3, response.usage().promptTokens());
    assertEquals("gem", raw.headers().values("x-ensemble-provider").get(0));
    RecordedRequest sent = gemini.lastRequest();
    assertEquals("/v1beta/models/gemini-embedding-001:embedContent", sent.path());
    assertTrue(List.of(KEY_A, KEY_B).contains(sent.header("x-goog-api-key")));
    assertNull(sent.header("authorization"), "the key travels only in x-goog-api-key");
    assertEquals(new JsonObject("{\"content\":{\"parts\":[{\"text\":\"hello world\"}]}}"), sent.json());

    // 3 tokens x 0.15 USD / 1M = 0.00000045 USD = 4500 x 10^-10
    Object[] row = ledger(raw.headers().values("x-ensemble-request-id").get(0));
    assertEquals(4500L, row[0]);
    assertEquals(3, ((Number) row[1]).intValue());
    assertEquals(200, row[2]);
    assertEquals("gemini-embedding-001", row[4]);
  }

  @Test
  void severalTextsAreOneBatchCallAnsweredInInputOrderWithTheirDimensions() throws Exception {
    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", new JsonArray().add("alpha").add("beta").add("gamma"))
        .put("dimensions", 4));

    assertEquals(200, r.statusCode(), r.body());
    RecordedRequest sent = gemini.lastRequest();
    assertEquals("/v1beta/models/gemini-embedding-001:batchEmbedContents", sent.path());
    JsonArray requests = sent.json().getJsonArray("requests");
    assertEquals(3, requests.size());
    assertEquals("models/gemini-embedding-001", requests.getJsonObject(2).getString("model"));
    assertEquals(4, requests.getJsonObject(2).getInteger("outputDimensionality"));
    JsonObject body = new JsonObject(r.body());
    assertEquals("list", body.getString("object"));
    JsonArray data = body.getJsonArray("data");
    String[] texts = {"alpha", "beta", "gamma"};
    for (int i = 0; i < texts.length; i++) {
      assertEquals(i, data.getJsonObject(i).getInteger("index"));
      List<Float> values = new ArrayList<>();
      data.getJsonObject(i).getJsonArray("embedding").forEach(v -> values.add(((Number) v).floatValue()));
      assertEquals(vector(texts[i], 4), values);
    }
    // estimated over all the texts: ceil((5 + 4 + 5) / 4) = 4
    assertEquals(4, body.getJsonObject("usage").getInteger("prompt_tokens"));
  }

  @Test
  void base64IsEncodedByTheGatewayAsOpenAiWouldSendIt() throws Exception {
    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", "hi").put("encoding_format", "base64").put("dimensions", 3));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(new JsonObject("{\"content\":{\"parts\":[{\"text\":\"hi\"}]},\"outputDimensionality\":3}"), gemini.lastRequest().json());
    String embedding = new JsonObject(r.body()).getJsonArray("data").getJsonObject(0).getString("embedding");
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(embedding)).order(ByteOrder.LITTLE_ENDIAN);
    List<Float> values = new ArrayList<>();
    while (bytes.hasRemaining()) {
      values.add(bytes.getFloat());
    }
    assertEquals(vector("hi", 3), values);
  }

  @Test
  void a429FromGeminiFailsOverToTheSecondKey() throws Exception {
    gemini.enqueue(GeminiReply.error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota").retryDelay("20s"));

    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", "failover please"));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("2", header(r, "x-ensemble-attempts"));
    assertEquals("failover:429", header(r, "x-ensemble-route-reason"));
    List<RecordedRequest> sent = gemini.requests();
    assertEquals(2, sent.size());
    assertNotEquals(sent.get(0).header("x-goog-api-key"), sent.get(1).header("x-goog-api-key"));
    Object[] row = ledger(header(r, "x-ensemble-request-id"));
    assertEquals(2, row[3]);
    // ceil(15 / 4) = 4 tokens x 0.15 USD / 1M = 6000 x 10^-10
    assertEquals(6000L, row[0]);
  }

  @Test
  void tokenIdInputIsA400NamingTheFieldAndGemini() throws Exception {
    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", new JsonArray().add(9906).add(1917)));

    assertEquals(400, r.statusCode(), r.body());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertEquals("input", error.getString("param"));
    assertTrue(error.getString("message").contains("Gemini"), r.body());
    assertEquals(0, gemini.requestCount());
  }

  @Test
  void aRefusalFromGeminiIsPassedOnWithoutRetry() throws Exception {
    gemini.enqueue(GeminiReply.error(400, "INVALID_ARGUMENT", "Request contains an invalid argument."));

    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", "x"));

    assertEquals(400, r.statusCode(), r.body());
    assertTrue(new JsonObject(r.body()).getJsonObject("error").getString("message").contains("invalid argument"), r.body());
    assertEquals(1, gemini.requestCount());
  }

  /** The fake's vector of {@code text}: {@code sin(hash * 0.001 + j)} as float32. */
  private static List<Float> vector(String text, int dimensions) {
    List<Float> out = new ArrayList<>();
    for (int j = 0; j < dimensions; j++) {
      out.add((float) Math.sin(text.hashCode() * 0.001 + j));
    }
    return out;
  }

  private HttpResponse<String> post(JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/embeddings")).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").header("authorization", "Bearer " + clientKey)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The ledger row of a request: cost (10^-10 USD), input tokens, status, attempts, upstream model. */
  private Object[] ledger(String requestId) throws Exception {
    // the usage endpoint flushes the ledger's queue before it reads
    HttpResponse<String> usage = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/usage"))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, usage.statusCode(), usage.body());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT cost_e10_usd, input_tokens, status, attempts, upstream_model"
             + " FROM usage_ledger WHERE request_id = '" + requestId + "'")) {
      assertTrue(rs.next(), "no ledger row for " + requestId);
      return new Object[] {rs.getLong(1), rs.getObject(2), rs.getInt(3), rs.getInt(4), rs.getString(5)};
    }
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
