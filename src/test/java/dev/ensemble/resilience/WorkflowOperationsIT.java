package dev.ensemble.resilience;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workflow routes that front embeddings and image generation: their {@code retry} ({@code max_attempts},
 * {@code initial_backoff_ms}), {@code fallback} chain and {@code timeout_ms} take effect as on chat routes. The models
 * {@code emb} and {@code draw} are served by three OpenAI-format providers on one fake (three attempts are possible),
 * their backups by a provider on another fake. {@code image_generate} is seed 004's route: a 15 s timeout, no cache,
 * longer than the server's own 1 s deadline.
 */
class WorkflowOperationsIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension backup = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(oai, f -> """
      server: { host: 127.0.0.1, port: 0, request_timeout_ms: 1000 }
      responses: { local_dir: %1$s }
      providers:
        o1: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wo-0001, endpoints: [ { id: o1-1 } ] } ] }
        o2: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wo-0002, endpoints: [ { id: o2-1 } ] } ] }
        o3: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wo-0003, endpoints: [ { id: o3-1 } ] } ] }
        openai: { type: openai, base_url: %3$s, keys: [ { name: k, api_key: sk-wo-0004, endpoints: [ { id: b-1 } ] } ] }
      models:
        emb:
          kind: embedding
          pricing: { input: 0.02 }
          providers:
            - { provider: o1, model: text-embedding-3-small }
            - { provider: o2, model: text-embedding-3-small }
            - { provider: o3, model: text-embedding-3-small }
        emb-backup:
          kind: embedding
          pricing: { input: 0.13 }
          providers: [ { provider: openai, model: text-embedding-3-large } ]
        draw:
          kind: image
          pricing: { per_image: 0.04 }
          providers:
            - { provider: o1, model: dall-e-3 }
            - { provider: o2, model: dall-e-3 }
            - { provider: o3, model: dall-e-3 }
        draw-backup:
          kind: image
          pricing: { per_image: 0.02 }
          providers: [ { provider: openai, model: dall-e-2 } ]
      routes:
        embed_twice: { model: emb, timeout_ms: 10000, retry: { max_attempts: 2, initial_backoff_ms: 1, jitter: false } }
        embed_chain: { model: emb, fallback: [ emb-backup ], timeout_ms: 10000, retry: { max_attempts: 1, initial_backoff_ms: 1 } }
        embed_patient: { model: emb, timeout_ms: 3000, retry: { max_attempts: 3, initial_backoff_ms: 60000, jitter: false } }
        embed_quick: { model: emb, timeout_ms: 300 }
        embed_backup_twice: { model: emb-backup, timeout_ms: 10000, retry: { max_attempts: 2, initial_backoff_ms: 1, jitter: false } }
        draw_twice: { model: draw, timeout_ms: 10000, retry: { max_attempts: 2, initial_backoff_ms: 1, jitter: false } }
        draw_chain:
          model: draw
          fallback: [ draw-backup ]
          timeout_ms: 10000
          retry: { max_attempts: 2, initial_backoff_ms: 1, jitter: true }
        image_generate: { model: openai/gpt-image-1, operation: images, timeout_ms: 15000 }
      """.formatted(GatewayExtension.scratchDir("wo-responses"), oai.openAiBaseUrl(), backup.openAiBaseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> embed(String route) throws Exception {
    return post("/v1/workflows/" + route, new JsonObject().put("input", "the quick brown fox"));
  }

  private HttpResponse<String> draw(String route) throws Exception {
    return post("/v1/workflows/" + route, new JsonObject().put("prompt", "a fox in the snow"));
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("(none)");
  }

  @Test
  void anEmbeddingsRouteTriesItsModelNoMoreThanRetryMaxAttemptsTimes() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"), Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = embed("embed_twice");

    assertEquals(502, response.statusCode(), "a third provider was there, but the route allows two attempts: " + response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals(2, oai.requestCount());
  }

  @Test
  void anEmbeddingsRouteRetriesTheOnlyEndpointOfItsModelAfterAServerError() throws Exception {
    backup.enqueue(Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = embed("embed_backup_twice");

    assertEquals(200, response.statusCode(), "retry.max_attempts: 2 on a model with one endpoint: " + response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals(2, backup.requestCount());
  }

  @Test
  void anEmbeddingsRouteWithinItsAttemptsIsServedByTheNextProvider() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = embed("embed_twice");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("failover:500", header(response, "x-ensemble-route-reason"));
    assertEquals(2, oai.requestCount());
    assertTrue(new JsonObject(response.body()).getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size() > 0);
  }

  @Test
  void whenItsModelFailsAnEmbeddingsRouteFallsBackToTheNextModelOfItsChain() throws Exception {
    oai.enqueue(Reply.error(503, "server_error", "overloaded"));

    HttpResponse<String> response = embed("embed_chain");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("fallback:503", header(response, "x-ensemble-route-reason"));
    assertEquals("openai", header(response, "x-ensemble-provider"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals(1, oai.requestCount(), "max_attempts: 1 leaves the other providers of the model untried");
    assertEquals(1, backup.requestCount());
    assertTrue(backup.lastRequest().path().endsWith("/embeddings"));
    assertEquals("text-embedding-3-large", backup.lastRequest().json().getString("model"));
  }

  @Test
  void aBackoffLongerThanTheRoutesDeadlineEndsTheRequestInsteadOfRetrying() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = embed("embed_patient");

    // initial_backoff_ms: 60000 would wait past timeout_ms: 3000, so the second of three allowed attempts never starts
    assertEquals(502, response.statusCode(), response.body());
    assertEquals(1, oai.requestCount());
  }

  @Test
  void anEmbeddingsRouteIsCutAtItsOwnTimeout() throws Exception {
    oai.enqueue(Reply.text("").latencyMs(5_000));

    HttpResponse<String> response = embed("embed_quick");

    assertEquals(504, response.statusCode(), response.body());
    assertTrue(response.body().contains("routes.embed_quick.timeout_ms"), response.body());
  }

  @Test
  void anImagesRouteTriesItsModelNoMoreThanRetryMaxAttemptsTimes() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"), Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = draw("draw_twice");

    assertEquals(502, response.statusCode(), response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals(2, oai.requestCount());
  }

  @Test
  void anImagesRouteUsesItsAttemptsThenFallsBack() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"), Reply.error(502, "server_error", "bad gateway"));

    HttpResponse<String> response = draw("draw_chain");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("fallback:502", header(response, "x-ensemble-route-reason"));
    assertEquals("3", header(response, "x-ensemble-attempts"));
    assertEquals(2, oai.requestCount());
    assertEquals(1, backup.requestCount());
    assertEquals("dall-e-2", backup.lastRequest().json().getString("model"));
    assertEquals(1, new JsonObject(response.body()).getJsonArray("data").size());
  }

  @Test
  void imageGenerateWaitsItsFifteenSecondsWhereTheServersDeadlineWouldCutAndNeverCaches() throws Exception {
    backup.enqueue(Reply.text("").latencyMs(1_500));
    HttpResponse<String> direct = post("/v1/images/generations", new JsonObject().put("model", "draw-backup").put("prompt", "a slow fox"));
    assertEquals(504, direct.statusCode(), "the server's request_timeout_ms of 1 s cuts a 1.5 s image: " + direct.body());

    backup.enqueue(Reply.text("").latencyMs(1_500));
    HttpResponse<String> first = draw("image_generate");
    HttpResponse<String> second = draw("image_generate");

    assertEquals(200, first.statusCode(), first.body());
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("gpt-image-1", backup.lastRequest().json().getString("model"));
    assertFalse(first.headers().firstValue("x-cache-status").isPresent() || second.headers().firstValue("x-cache-status").isPresent());
    assertEquals(3, backup.requestCount(), "no cache: the identical second image went upstream too");
  }
}
