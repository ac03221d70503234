package dev.ensemble.cache;

import dev.ensemble.testing.cluster.ClusterNodes;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response cache of a fleet: two Hazelcast-clustered nodes in one JVM ({@code LoopbackCluster}) share entries —
 * one stored on either node is served by the other, exact or semantic (each node indexes the vectors it hears of) —
 * and a third node that joins later loads the live entries. The audits, the threshold bands and the drift of
 * {@code GET /admin/cache} and {@code ensemble_response_cache_fleet_drift} cover every node.
 */
class ResponseCacheFleetIT {

  private static final String ADMIN_KEY = "admin-cache-fleet";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static ClusterNodes nodes;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static String config(int i) {
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        storage: { sqlite_path: %s/ensemble.db }
        responses: { local_dir: %s }
        cluster: { enabled: true }
        providers:
          oai:
            type: openai
            base_url: %s
            keys: [ { name: k1, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
            response_cache: { type: exact, ttl_seconds: 600 }
        routes:
          faq:
            model: gpt-test
            cache: { type: semantic, threshold: 0.85 }
          audited:
            model: gpt-test
            cache: { type: semantic, threshold: 0.85, audit_sample_rate: 1 }
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("cache-fleet-sqlite-" + i), GatewayExtension.scratchDir("cache-fleet-responses-" + i),
        fake.openAiBaseUrl(), GatewayExtension.OPENAI_KEY);
  }

  @BeforeAll
  static void startTwoNodes() throws Exception {
    nodes = ClusterNodes.start(3, ResponseCacheFleetIT::config);
    nodes.stopNode(2);
  }

  @AfterAll
  static void stopNodes() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void anEntryStoredOnOneNodeIsServedByTheOtherAndLoadedByANodeThatJoinsLater() throws Exception {
    fake.enqueue(Reply.text("shared answer"));
    int before = entries(1);
    JsonObject body = chat("What does the fleet share?");

    HttpResponse<String> first = post(0, "/v1/chat/completions", body);
    assertEquals("MISS", first.headers().firstValue("x-cache-status").orElseThrow(), first.body());
    await(until(() -> entries(1) > before));
    HttpResponse<String> second = post(1, "/v1/chat/completions", body);

    assertEquals("HIT", second.headers().firstValue("x-cache-status").orElseThrow());
    assertEquals("shared answer", text(second));
    assertEquals(1, fake.requestCount());

    nodes.startNode(2);
    await(until(() -> !Boolean.TRUE.equals(cache(2).getBoolean("loading"))));
    assertEquals(entries(0), entries(2), "the joining node loaded the live entries in the background");
    HttpResponse<String> fromThird = post(2, "/v1/chat/completions", body);
    assertEquals("HIT", fromThird.headers().firstValue("x-cache-status").orElseThrow());
    assertEquals("shared answer", text(fromThird));
    assertEquals(1, fake.requestCount());
  }

  @Test
  void aParaphraseOnTheOtherNodeIsASemanticHit() throws Exception {
    fake.enqueue(Reply.text("Use the reset link."));
    int before = entries(1);
    HttpResponse<String> first = post(0, "/v1/workflows/faq", chat("How do I reset my password?"));
    assertEquals("MISS", first.headers().firstValue("x-cache-status").orElseThrow(), first.body());
    await(until(() -> entries(1) > before));

    HttpResponse<String> paraphrase = post(1, "/v1/workflows/faq", chat("How can I reset my password?"));
    assertEquals("SEMANTIC_HIT", paraphrase.headers().firstValue("x-cache-status").orElseThrow(), paraphrase.body());
    assertEquals("Use the reset link.", text(paraphrase));
  }

  @Test
  void auditsThresholdBandsAndDriftOfOneNodeAreSeenOnTheOther() throws Exception {
    // earlier tests' lookups reach the other node's view a moment later: start from a figure both nodes agree on
    await(until(() -> semanticLookups(admin(0)) == semanticLookups(admin(1))));
    long lookupsBefore = semanticLookups(admin(1));
    fake.enqueue(Reply.text("Open the billing page and pick the invoice."), Reply.text("Go to settings, then download it."));
    HttpResponse<String> first = post(0, "/v1/workflows/audited", chat("How do I download my invoice?"));
    HttpResponse<String> hit = post(0, "/v1/workflows/audited", chat("How can I download my invoice?"));
    assertEquals("MISS", first.headers().firstValue("x-cache-status").orElseThrow(), first.body());
    assertEquals("SEMANTIC_HIT", hit.headers().firstValue("x-cache-status").orElseThrow(), hit.body());

    // node 0 audited its hit in the background; node 1 never saw a request of this route
    await(until(() -> {
      JsonObject seen = admin(1);
      return seen.getJsonArray("audits").stream().map(JsonObject.class::cast)
          .anyMatch(a -> "How can I download my invoice?".equals(a.getString("prompt")))
          && seen.getJsonObject("drift").containsKey("audited")
          && seen.getJsonArray("thresholds").getJsonObject(0).getLong("semantic_lookups") >= lookupsBefore + 2;
    }));
    JsonObject fleet = admin(1);
    JsonObject audit = fleet.getJsonArray("audits").getJsonObject(0);
    assertEquals("Go to settings, then download it.", audit.getString("fresh_answer"));
    assertEquals(admin(0).getJsonArray("audits").getJsonObject(0).getString("node"), audit.getString("node"));
    JsonObject at90 = fleet.getJsonArray("thresholds").getJsonObject(0);
    assertTrue(at90.getLong("semantic_lookups") >= lookupsBefore + 2, at90.encode());
    // node 1 counts exactly the lookups node 0 made: both nodes' fleet figures come to the same number
    await(until(() -> semanticLookups(admin(0)) == semanticLookups(admin(1))));
    assertTrue(at90.getLong("would_hit") >= 1 && at90.getLong("audits") >= 1, at90.encode());
    JsonObject drift = fleet.getJsonObject("drift").getJsonObject("audited");
    assertEquals(1, drift.getLong("audits"));
    assertEquals(1.0 - audit.getDouble("answer_similarity"), drift.getDouble("drift"), 1e-9);
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(nodes.node(1).baseUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    String gauge = metrics.body().lines().filter(l -> l.startsWith("ensemble_response_cache_fleet_drift{route=\"audited\"}"))
        .findFirst().orElseThrow(() -> new AssertionError(metrics.body()));
    assertEquals(drift.getDouble("drift"), Double.parseDouble(gauge.substring(gauge.lastIndexOf(' ') + 1)), 1e-6);
  }

  private static long semanticLookups(JsonObject cacheStatus) {
    return cacheStatus.getJsonArray("thresholds").getJsonObject(0).getLong("semantic_lookups");
  }

  private JsonObject admin(int node) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(nodes.node(node).baseUrl() + "/admin/cache"))
          .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject chat(String prompt) {
    return new JsonObject().put("model", "gpt-test")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
  }

  private static String text(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  private HttpResponse<String> post(int node, String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(nodes.node(node).baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int entries(int node) {
    Integer entries = cache(node).getInteger("entries");
    return entries == null ? -1 : entries;
  }

  private JsonObject cache(int node) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(nodes.node(node).baseUrl() + "/admin/cache"))
          .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body());
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  /** Completes when {@code condition} (checked on a worker: it may block) holds, checking again on one-shot timers. */
  private Future<Void> until(BooleanSupplier condition) {
    Vertx vertx = nodes.node(0).vertx();
    Promise<Void> done = Promise.promise();
    check(vertx, condition, done);
    return done.future();
  }

  private void check(Vertx vertx, BooleanSupplier condition, Promise<Void> done) {
    vertx.executeBlocking(condition::getAsBoolean).onComplete(ok -> {
      if (ok.succeeded() && ok.result()) {
        done.tryComplete();
      } else {
        vertx.setTimer(25, t -> check(vertx, condition, done));
      }
    });
  }

  private static void await(Future<?> future) throws Exception {
    future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
