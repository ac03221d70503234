package dev.ensemble.providers.vertex;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.FakeVertexExtension;
import dev.ensemble.testing.fake.RecordedRequest;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/embeddings} through a real gateway to a fake Vertex AI's {@code :predict}: one and several texts,
 * dimensions, the token counts Vertex reports, a quota 429 failing over to the other key, and
 * {@code gemini-embedding-001}'s one-instance limit passed on as Vertex's 400.
 */
class VertexEmbeddingsGatewayIT {

  @RegisterExtension @Order(1) static FakeVertexExtension vertex = new FakeVertexExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  private static ServiceAccountKey keyA;
  private static ServiceAccountKey keyB;
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(oai, f -> {
    keyA = vertex.oauth().newAccount("emb-a", "proj-a");
    keyB = vertex.oauth().newAccount("emb-b", "proj-b");
    return """
        server: { host: 127.0.0.1, port: 0 }
        responses: { local_dir: %s }
        providers:
          vtx:
            type: vertex
            base_url: %s
            strategy: round_robin
            timeout_ms: 4000
            keys:
              - { name: a, api_key: '%s', endpoints: [ { id: vtx-a, region: us-central1 } ] }
              - { name: b, api_key: '%s', endpoints: [ { id: vtx-b, region: europe-west1 } ] }
        models:
          gem-emb:
            kind: embedding
            pricing: { input: 0.15 }
            cache: { mode: none }
            providers: [ { provider: vtx, model: gemini-embedding-001 } ]
          text-emb:
            kind: embedding
            pricing: { input: 0.025 }
            cache: { mode: none }
            providers: [ { provider: vtx, model: text-embedding-005 } ]
        """.formatted(GatewayExtension.scratchDir("responses"), vertex.baseUrl(), keyA.json(), keyB.json());
  });

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void oneTextIsOnePredictInstanceWithVertexsTokenCount() throws Exception {
    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", "hello world").put("dimensions", 4));

    assertEquals(200, r.statusCode(), r.body());
    RecordedRequest sent = vertex.lastRequest();
    assertTrue(sent.path().matches("/v1/projects/proj-[ab]/locations/(us-central1|europe-west1)/publishers/google/models/"
        + "gemini-embedding-001:predict"), sent.path());
    assertTrue(sent.header("authorization").startsWith("Bearer "));
    assertEquals(new JsonObject("{\"instances\":[{\"content\":\"hello world\"}],\"parameters\":{\"outputDimensionality\":4}}"), sent.json());
    JsonObject body = new JsonObject(r.body());
    assertEquals(4, body.getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size());
    // the fake's token_count: ceil(11 / 4)
    assertEquals(3, body.getJsonObject("usage").getInteger("prompt_tokens"));
  }

  @Test
  void severalTextsGoInOneRequestToModelsThatTakeThem() throws Exception {
    HttpResponse<String> r = post(new JsonObject().put("model", "text-emb").put("input", new JsonArray().add("alpha").add("beta")));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(vertex.lastRequest().path().endsWith("/publishers/google/models/text-embedding-005:predict"));
    JsonArray data = new JsonObject(r.body()).getJsonArray("data");
    assertEquals(2, data.size());
    assertEquals(1, data.getJsonObject(1).getInteger("index"));
    // token_count per text: ceil(5 / 4) + ceil(4 / 4) = 2 + 1
    assertEquals(3, new JsonObject(r.body()).getJsonObject("usage").getInteger("prompt_tokens"));
  }

  @Test
  void severalTextsForGeminiEmbedding001AreVertexsOwn400() throws Exception {
    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", new JsonArray().add("a").add("b")));

    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("1 instance per request"), r.body());
    assertEquals(1, vertex.requestCount());
  }

  @Test
  void aVertexQuota429FailsOverToTheOtherKey() throws Exception {
    vertex.server().enqueuePlatformError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/embed_content_input_tokens.");

    HttpResponse<String> r = post(new JsonObject().put("model", "gem-emb").put("input", "again"));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("failover:429", r.headers().firstValue("x-ensemble-route-reason").orElse(null));
    List<RecordedRequest> sent = vertex.requests();
    assertEquals(2, sent.size());
    assertNotEquals(sent.get(0).header("authorization"), sent.get(1).header("authorization"));
  }

  private HttpResponse<String> post(JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/embeddings")).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
