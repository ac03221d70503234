package dev.ensemble.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/embeddings} and {@code POST /v1/images/generations} through a real node against the fake
 * upstream: the OpenAI Java SDK, errors, failover to a second key, rate limits and exact ledger costs.
 */
class EmbeddingsImagesIT {

  private static final String KEY_A = "sk-emb-key-aaaa-0001";
  private static final String KEY_B = "sk-emb-key-bbbb-0002";
  private static final String ADMIN_KEY = "admin-emb-0123456789";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: %s }
      responses: { local_dir: %s }
      providers:
        oai:
          type: openai
          base_url: %s
          strategy: round_robin
          keys:
            - { name: a, api_key: %s, endpoints: [ { id: oai-a } ] }
            - { name: b, api_key: %s, endpoints: [ { id: oai-b } ] }
        lim:
          type: openai
          base_url: %s
          keys: [ { name: l, api_key: %s, endpoints: [ { id: lim-1, rpm_limit: 1 } ] } ]
        ant:
          type: anthropic
          base_url: %s
          keys: [ { name: main, api_key: sk-ant-0003, endpoints: [ { id: ant-1 } ] } ]
      models:
        emb:
          kind: embedding
          pricing: { input: 0.02 }
          cache: { mode: none }
          providers: [ { provider: oai, model: text-embedding-3-small } ]
        dalle:
          kind: image
          pricing: { per_image: { default: 0.04, hd/1024x1024: 0.08, 1792x1024: 0.08, hd/1792x1024: 0.12 } }
          providers: [ { provider: oai, model: dall-e-3 } ]
        gptimg:
          kind: image
          pricing: { input: 5.00, per_image: 0.011 }
          providers: [ { provider: oai, model: gpt-image-1 } ]
        chatty:
          kind: chat
          pricing: { input: 0.15, output: 0.60 }
          providers: [ { provider: oai, model: gpt-4o-mini } ]
        text-embedding-3-small:
          pricing: { input: 0.02 }
          providers: [ { provider: oai } ]
        dall-e-3:
          pricing: { per_image: { default: 0.04, hd/1792x1024: 0.12 } }
          providers: [ { provider: oai } ]
        any-ant:
          pricing: { input: 3.00, output: 15.00 }
          providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        ant-emb:
          kind: embedding
          pricing: { input: 0.10 }
          providers: [ { provider: ant, model: some-embedder } ]
        tiny-emb:
          kind: embedding
          pricing: { input: 0.02 }
          cache: { mode: none }
          providers: [ { provider: lim, model: text-embedding-3-small } ]
      """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), fake.openAiBaseUrl(), KEY_A, KEY_B, fake.openAiBaseUrl(), KEY_A,
      fake.baseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static String clientKey;
  private OpenAIClient client;

  @BeforeEach
  void sdk() {
    if (clientKey == null) {
      clientKey = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "embeddings-it")).getString("key");
    }
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(clientKey).maxRetries(0).build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject error(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("error");
  }

  /** The ledger row of a request: cost (10^-10 USD), input tokens, images, status, attempts, upstream model. */
  private Object[] ledger(String requestId) throws Exception {
    // the usage endpoint flushes the ledger's queue before it reads
    HttpResponse<String> usage = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/usage"))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, usage.statusCode(), usage.body());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT cost_e10_usd, input_tokens, images, status, attempts, upstream_model"
             + " FROM usage_ledger WHERE request_id = '" + requestId + "'")) {
      assertTrue(rs.next(), "no ledger row for " + requestId);
      return new Object[] {rs.getLong(1), rs.getObject(2), rs.getObject(3), rs.getInt(4), rs.getInt(5), rs.getString(6)};
    }
  }

  @Test
  void embeddingsThroughTheSdkComeBackWithUsageAndAreBilledPerInputToken() throws Exception {
    var raw = client.embeddings().withRawResponse().create(EmbeddingCreateParams.builder().model("emb")
        .inputOfArrayOfStrings(List.of("hello world", "the quick brown fox")).build());
    CreateEmbeddingResponse response = raw.parse();

    assertEquals(2, response.data().size());
    assertEquals(8, response.data().get(0).embedding().size());
    assertEquals("emb", response.model());
    // the fake: ceil(11 / 4) + ceil(19 / 4) = 3 + 5 = 8 tokens
    assertEquals(8, response.usage().promptTokens());
    assertEquals("oai", raw.headers().values("x-ensemble-provider").get(0));
    RecordedRequest upstream = fake.lastRequest();
    assertEquals("/v1/embeddings", upstream.path());
    assertEquals("text-embedding-3-small", upstream.json().getString("model"));

    // 8 tokens x 0.02 USD / 1M = 0.00000016 USD = 1600 x 10^-10
    String id = raw.headers().values("x-ensemble-request-id").get(0);
    Object[] row = ledger(id);
    assertEquals(1600L, row[0]);
    assertEquals(8, ((Number) row[1]).intValue());
    assertNull(row[2]);
    assertEquals(200, row[3]);
    assertEquals("text-embedding-3-small", row[5]);
  }

  @Test
  void embeddingsPassEncodingFormatAndDimensionsThrough() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "emb").put("input", "hi")
        .put("encoding_format", "base64").put("dimensions", 4));
    assertEquals(200, r.statusCode(), r.body());
    JsonObject upstream = fake.lastRequest().json();
    assertEquals("base64", upstream.getString("encoding_format"));
    assertEquals(4, upstream.getInteger("dimensions"));
    assertTrue(new JsonObject(r.body()).getJsonArray("data").getJsonObject(0).getValue("embedding") instanceof String);
  }

  @Test
  void imagesThroughTheSdkAreBilledPerImageOfTheirQualityAndSize() throws Exception {
    var raw = client.images().withRawResponse().generate(ImageGenerateParams.builder().model("dalle").prompt("a red fox")
        .n(2).size("1792x1024").quality(ImageGenerateParams.Quality.HD).build());
    ImagesResponse response = raw.parse();

    assertEquals(2, response.data().orElseThrow().size());
    assertTrue(response.data().orElseThrow().get(0).url().orElseThrow().startsWith("https://"));
    JsonObject upstream = fake.lastRequest().json();
    assertEquals("dall-e-3", upstream.getString("model"));
    assertEquals("hd", upstream.getString("quality"));

    // 2 images x 0.12 USD (hd/1792x1024) = 0.24 USD
    Object[] row = ledger(raw.headers().values("x-ensemble-request-id").get(0));
    assertEquals(2_400_000_000L, row[0]);
    assertEquals(2, ((Number) row[2]).intValue());
  }

  @Test
  void gptImageTokensAndImagesAreBothBilled() throws Exception {
    HttpResponse<String> r = post("/v1/images/generations", new JsonObject().put("model", "gptimg").put("prompt", "a cat on a mat"));
    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertTrue(body.getJsonArray("data").getJsonObject(0).containsKey("b64_json"));
    assertEquals(4, body.getJsonObject("usage").getInteger("input_tokens"));
    // 4 input tokens x 5.00 / 1M + 1 image x 0.011 = 0.00002 + 0.011 = 0.01102 USD
    Object[] row = ledger(r.headers().firstValue("x-ensemble-request-id").orElseThrow());
    assertEquals(110_200_000L, row[0]);
    assertEquals(1, ((Number) row[2]).intValue());
  }

  @Test
  void aRateLimitedKeyFailsOverToTheProvidersSecondKey() throws Exception {
    fake.enqueue(Reply.error(429, "rate_limit_exceeded", "Rate limit reached").header("retry-after", "20"));
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "emb").put("input", "failover please"));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("2", r.headers().firstValue("x-ensemble-attempts").orElseThrow());
    assertEquals("failover:429", r.headers().firstValue("x-ensemble-route-reason").orElseThrow());
    List<RecordedRequest> requests = fake.requests();
    assertEquals(2, requests.size());
    assertFalse(requests.get(0).header("authorization").equals(requests.get(1).header("authorization")));
    Object[] row = ledger(r.headers().firstValue("x-ensemble-request-id").orElseThrow());
    assertEquals(2, row[4]);
  }

  @Test
  void anEndpointAtItsRequestLimitIsA429WithRetryAfter() throws Exception {
    assertEquals(200, post("/v1/embeddings", new JsonObject().put("model", "tiny-emb").put("input", "one")).statusCode());
    HttpResponse<String> second = post("/v1/embeddings", new JsonObject().put("model", "tiny-emb").put("input", "two"));
    assertEquals(429, second.statusCode(), second.body());
    assertTrue(second.headers().firstValue("retry-after").isPresent());
    assertEquals(1, fake.requestCount());
  }

  @Test
  void missingInputIsA400NamingIt() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "emb"));
    assertEquals(400, r.statusCode());
    assertEquals("input", error(r).getString("param"));
    assertEquals(0, fake.requestCount());
  }

  @Test
  void missingPromptIsA400NamingIt() throws Exception {
    HttpResponse<String> r = post("/v1/images/generations", new JsonObject().put("model", "dalle"));
    assertEquals(400, r.statusCode());
    assertEquals("prompt", error(r).getString("param"));
  }

  @Test
  void unknownModelIsA404() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "nope").put("input", "x"));
    assertEquals(404, r.statusCode());
    assertEquals("model", error(r).getString("param"));
  }

  @Test
  void aChatModelCannotServeEmbeddingsNorAnEmbeddingModelChat() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "chatty").put("input", "x"));
    assertEquals(400, r.statusCode());
    assertEquals("The model 'chatty' is a chat model; it cannot serve embeddings", error(r).getString("message"));

    HttpResponse<String> chat = post("/v1/chat/completions", new JsonObject().put("model", "emb")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
    assertEquals(400, chat.statusCode());
    assertEquals("The model 'emb' is an embedding model; it cannot serve chat completions", error(chat).getString("message"));

    HttpResponse<String> images = post("/v1/images/generations", new JsonObject().put("model", "dalle-x").put("prompt", "x"));
    assertEquals(404, images.statusCode(), "an unknown model stays a 404 on every route");
    HttpResponse<String> imageFromEmbedder = post("/v1/images/generations", new JsonObject().put("model", "emb").put("prompt", "x"));
    assertEquals(400, imageFromEmbedder.statusCode());
    assertEquals("The model 'emb' is an embedding model; it cannot serve image generation", error(imageFromEmbedder).getString("message"));
    assertEquals(0, fake.requestCount());
  }

  @Test
  void aModelWithoutKindServesEmbeddingsBilledPerInputToken() throws Exception {
    var raw = client.embeddings().withRawResponse().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
        .input("hello world").build());
    CreateEmbeddingResponse response = raw.parse();

    assertEquals(1, response.data().size());
    assertEquals(3, response.usage().promptTokens());
    assertEquals("/v1/embeddings", fake.lastRequest().path());
    assertEquals("text-embedding-3-small", fake.lastRequest().json().getString("model"));
    // 3 tokens x 0.02 USD / 1M = 600 x 10^-10 USD
    Object[] row = ledger(raw.headers().values("x-ensemble-request-id").get(0));
    assertEquals(600L, row[0]);
    assertEquals(3, ((Number) row[1]).intValue());
  }

  @Test
  void aModelWithoutKindServesImagesBilledPerImageAsDeclared() throws Exception {
    var raw = client.images().withRawResponse().generate(ImageGenerateParams.builder().model("dall-e-3").prompt("a red fox")
        .n(1).size("1792x1024").quality(ImageGenerateParams.Quality.HD).build());

    assertEquals(1, raw.parse().data().orElseThrow().size());
    assertEquals("/v1/images/generations", fake.lastRequest().path());
    assertEquals("dall-e-3", fake.lastRequest().json().getString("model"));
    // 1 image x 0.12 USD (hd/1792x1024)
    Object[] row = ledger(raw.headers().values("x-ensemble-request-id").get(0));
    assertEquals(1_200_000_000L, row[0]);
    assertEquals(1, ((Number) row[2]).intValue());
  }

  @Test
  void aModelWithoutKindIsSentOnAndTheProvidersRefusalDecides() throws Exception {
    fake.enqueue(Reply.error(404, "invalid_request_error",
        "This is not a chat model and thus not supported in the v1/chat/completions endpoint."));
    HttpResponse<String> chat = post("/v1/chat/completions", new JsonObject().put("model", "text-embedding-3-small")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));

    assertEquals(404, chat.statusCode(), chat.body());
    assertTrue(error(chat).getString("message").contains("This is not a chat model"), chat.body());
    assertEquals("/v1/chat/completions", fake.lastRequest().path());
    assertEquals(1, fake.requestCount());
  }

  @Test
  void aModelWithoutKindWhoseProvidersCannotEmbedIsA400NamingThem() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "any-ant").put("input", "x"));
    assertEquals(400, r.statusCode());
    assertEquals("No provider serving 'any-ant' supports embeddings (ant: anthropic)", error(r).getString("message"));
    assertEquals(0, fake.requestCount());
  }

  @Test
  void aModelWhoseProvidersCannotEmbedIsA400NamingThem() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "ant-emb").put("input", "x"));
    assertEquals(400, r.statusCode());
    assertEquals("No provider serving 'ant-emb' supports embeddings (ant: anthropic)", error(r).getString("message"));
  }

  @Test
  void anUpstreamRefusalIsPassedOnWithoutRetry() throws Exception {
    fake.enqueue(Reply.error(400, "invalid_request_error", "Invalid size"));
    // a size some image model takes (the gateway lets it through), which this upstream refuses
    HttpResponse<String> r = post("/v1/images/generations", new JsonObject().put("model", "dalle").put("prompt", "x").put("size", "256x256"));
    assertEquals(400, r.statusCode());
    assertTrue(error(r).getString("message").contains("Invalid size"), r.body());
    assertEquals(1, fake.requestCount());
  }
}
