package dev.ensemble.cache;

import dev.ensemble.testing.Eventually;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workflow routes ({@code POST /v1/workflows/{name}}) and their cache policies: each route's policy applies to it
 * alone; a route fronts embeddings or image generation by its model's kind or an explicit {@code operation}; a semantic
 * cache embeds through the gateway's own pools (billed as the cache's own traffic), and one whose embedder cannot be
 * reached answers uncached with {@code BYPASS}.
 */
class WorkflowCacheIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: admin-wf }
      responses: { local_dir: %s }
      providers:
        oai:
          type: openai
          base_url: %s
          keys: [ { name: a, api_key: %s, endpoints: [ { id: oai-a } ] } ]
        gone:
          type: openai
          base_url: http://127.0.0.1:1/v1
          timeout_ms: 1000
          keys: [ { name: g, api_key: sk-gone, endpoints: [ { id: gone-1 } ] } ]
      models:
        gpt-test:
          pricing: { input: 0.15, output: 0.60 }
          providers: [ { provider: oai, model: gpt-4o-mini } ]
        gpt-down:
          pricing: { input: 0.15, output: 0.60 }
          providers: [ { provider: gone, model: gpt-4o-mini } ]
        emb:
          kind: embedding
          pricing: { input: 0.02 }
          providers: [ { provider: oai, model: text-embedding-3-small } ]
        emb-gone:
          kind: embedding
          pricing: { input: 0.02 }
          providers: [ { provider: gone, model: text-embedding-3-small } ]
        dalle:
          kind: image
          pricing: { per_image: 0.04 }
          providers: [ { provider: oai, model: dall-e-3 } ]
      routes:
        cached: { model: gpt-test, cache: { type: exact } }
        fresh: { model: gpt-test }
        pooled:
          model: gpt-test
          cache: { type: semantic, embedding_model: emb, threshold: 0.99 }
        unreachable:
          model: gpt-test
          cache: { type: semantic, embedding_model: emb-gone }
        chain_cached:
          model: gpt-down
          fallback: [ gpt-test ]
          retry: { max_attempts: 1, initial_backoff_ms: 1 }
          cache: { type: exact }
        embed: { model: emb }
        draw: { model: dalle }
        draw_explicit: { model: oai/dall-e-3, operation: images }
        draw_quick: { model: dalle, timeout_ms: 400 }
      """.formatted(GatewayExtension.scratchDir("wf-responses"), f.openAiBaseUrl(), GatewayExtension.OPENAI_KEY));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET /admin/cache}: this node's entries and index backlog. */
  private JsonObject cacheState() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/cache"))
        .header("authorization", "Bearer admin-wf").timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private static JsonObject chat(Object content) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
  }

  private static String status(HttpResponse<?> r) {
    return r.headers().firstValue("x-cache-status").orElse("(none)");
  }

  @Test
  void eachRoutesCachePolicyAppliesToThatRouteOnly() throws Exception {
    fake.enqueue(Reply.text("a"), Reply.text("b"), Reply.text("c"), Reply.text("d"));
    JsonObject body = chat("Which route am I on?");

    assertEquals("MISS", status(post("/v1/workflows/cached", body)));
    assertEquals("HIT", status(post("/v1/workflows/cached", body)));
    HttpResponse<String> fresh = post("/v1/workflows/fresh", body);
    assertEquals(200, fresh.statusCode());
    assertFalse(fresh.headers().firstValue("x-cache-status").isPresent(), "a route without a cache says nothing");
    assertEquals("(none)", status(post("/v1/workflows/fresh", body)));
    assertEquals("(none)", status(post("/v1/chat/completions", body.copy().put("model", "gpt-test"))));
    assertEquals(4, fake.requestCount());
  }

  @Test
  void aFallbacksAnswerIsCachedUnderTheRouteAndServedWhileThePrimaryIsStillDown() throws Exception {
    fake.enqueue(Reply.text("from the fallback"), Reply.text("another question's answer"));
    JsonObject body = chat("Is the primary up?");

    HttpResponse<String> first = post("/v1/workflows/chain_cached", body);
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("MISS", status(first));
    assertTrue(first.headers().firstValue("x-ensemble-route-reason").orElseThrow().startsWith("fallback:"), first.headers().map().toString());
    assertEquals("oai", first.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertEquals(1, fake.requestCount());

    HttpResponse<String> second = post("/v1/workflows/chain_cached", body);
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("HIT", status(second));
    assertEquals("cache", second.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertEquals(answer(first), answer(second));
    assertEquals(1, fake.requestCount(), "the hit reached no upstream, the primary is still down");

    // a new question fails over again
    HttpResponse<String> other = post("/v1/workflows/chain_cached", chat("Is the fallback up?"));
    assertEquals(200, other.statusCode(), other.body());
    assertEquals("MISS", status(other));
    assertEquals("another question's answer", answer(other));
  }

  private static String answer(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  @Test
  void aSemanticCacheEmbedsThroughTheGatewaysPoolsBilledAsCacheTraffic() throws Exception {
    fake.enqueue(Reply.text("pooled answer"));
    long entriesBefore = cacheState().getLong("entries");
    HttpResponse<String> first = post("/v1/workflows/pooled", chat("Where is the station?\nNear the park"));
    // an answer is filed and its vector indexed after the client has it: a lookup before that is a (true) miss
    Eventually.eventually("the first answer filed and indexed", () -> {
      JsonObject cache = cacheState();
      return cache.getLong("entries") > entriesBefore && cache.getLong("index_backlog") == 0;
    });
    // the same words in two blocks: another exact key, the same last user turn, so the same embedding
    HttpResponse<String> second = post("/v1/workflows/pooled", chat(new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "Where is the station?"))
        .add(new JsonObject().put("type", "text").put("text", "Near the park"))));

    assertEquals("MISS", status(first), first.body());
    assertEquals("SEMANTIC_HIT", status(second), second.body());
    long embeddingCalls = fake.requests().stream().filter(r -> r.path().endsWith("/embeddings")).count();
    assertEquals(2, embeddingCalls, "each semantic lookup embedded its prompt through the pool");
    assertEquals(1, fake.requests().stream().filter(r -> r.path().endsWith("/chat/completions")).count());
    // the ledger is written in batches (every flush interval): wait for the embedding rows' batch
    Eventually.eventually("embedding rows in the ledger", () -> cacheEmbeddingRows()[0] >= 1);
    assertEquals(1, cacheEmbeddingRows()[1], "billed to no client");
  }

  /** Ledger rows of the cache's own embeddings: their count, and 1 when none of them has a client. */
  private static int[] cacheEmbeddingRows() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), MIN(client_id IS NULL) FROM usage_ledger"
             + " WHERE cache_status = 'CACHE_EMBEDDING'")) {
      assertTrue(rs.next());
      return new int[] {rs.getInt(1), rs.getInt(2)};
    }
  }

  @Test
  void aCacheThatCannotReachItsEmbedderAnswersUncachedWithBypass() throws Exception {
    fake.enqueue(Reply.text("still answered"), Reply.text("again"));
    HttpResponse<String> r = post("/v1/workflows/unreachable", chat("Is anyone there?"));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("BYPASS", status(r));
    assertTrue(r.body().contains("still answered"));
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(metrics.body().contains("ensemble_response_cache_bypass_total{reason=\"embedder_unavailable\",route=\"unreachable\"}"),
        "bypasses are counted");
    // its answer was still stored under the exact key
    assertEquals("HIT", status(post("/v1/workflows/unreachable", chat("Is anyone there?"))));
  }

  @Test
  void aRouteOfAnEmbeddingModelFrontsEmbeddings() throws Exception {
    HttpResponse<String> r = post("/v1/workflows/embed", new JsonObject().put("model", "whatever").put("input", "hello"));

    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals("list", body.getString("object"));
    assertEquals("emb", body.getString("model"));
    assertTrue(body.getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size() > 0);
    assertTrue(fake.lastRequest().path().endsWith("/embeddings"));
    assertEquals("text-embedding-3-small", fake.lastRequest().json().getString("model"));
  }

  @Test
  void anImagesRouteAnswersWithinItsOwnTimeout() throws Exception {
    fake.enqueue(Reply.text("").latencyMs(5_000));
    HttpResponse<String> r = post("/v1/workflows/draw_quick", new JsonObject().put("prompt", "a slow fox"));

    // the provider's own timeout is 10 minutes: only the route's timeout_ms cuts the 5 s answer
    assertEquals(504, r.statusCode(), r.body());
    assertTrue(fake.lastRequest().path().endsWith("/images/generations"));
  }

  @Test
  void routesFrontImageGenerationByModelKindOrExplicitOperation() throws Exception {
    HttpResponse<String> byKind = post("/v1/workflows/draw", new JsonObject().put("prompt", "a red fox"));
    assertEquals(200, byKind.statusCode(), byKind.body());
    assertTrue(fake.lastRequest().path().endsWith("/images/generations"));
    assertEquals("dall-e-3", fake.lastRequest().json().getString("model"));

    HttpResponse<String> explicit = post("/v1/workflows/draw_explicit", new JsonObject().put("prompt", "a blue fox"));
    assertEquals(200, explicit.statusCode(), explicit.body());
    assertTrue(new JsonObject(explicit.body()).getJsonArray("data").size() > 0);
    assertTrue(fake.lastRequest().path().endsWith("/images/generations"));
  }
}
