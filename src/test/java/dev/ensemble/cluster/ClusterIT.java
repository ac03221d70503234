package dev.ensemble.cluster;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.testing.cluster.ClusterNodes;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateway nodes clustered in one JVM in front of one fake Anthropic upstream with two keys: what one node
 * learns of the keys (a cooldown, a rejected key, a cached prompt prefix) the other applies without having
 * seen it, and each node's status lists both members.
 */
class ClusterIT {

  private static final String ADMIN_KEY = "admin-cluster-test-key";
  private static final String KEY_ONE = "sk-ant-key-one-0001";
  private static final String KEY_TWO = "sk-ant-key-two-0002";
  private static final String SYSTEM = "You answer questions about a large codebase, carefully and briefly. ".repeat(160);

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static ClusterNodes nodes;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startTwoNodes() throws Exception {
    nodes = ClusterNodes.start(2, i -> """
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        storage: { sqlite_path: %s/ensemble.db }
        responses: { local_dir: %s }
        cluster: { enabled: true }
        providers:
          ant:
            type: anthropic
            base_url: %s
            strategy: session_affinity
            keys:
              - { name: k1, api_key: %s, endpoints: [ { id: ant-1 } ] }
              - { name: k2, api_key: %s, endpoints: [ { id: ant-2 } ] }
        models:
          claude:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("sqlite-" + i), GatewayExtension.scratchDir("responses-" + i),
        fake.baseUrl(), KEY_ONE, KEY_TWO));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @BeforeEach
  void healthyKeys() throws Exception {
    fake.server().acceptAnyKey();
    nodes.resetPools();
  }

  @Test
  void statusOfEachNodeListsBothMembers() throws Exception {
    JsonObject a = status(0).getJsonObject("cluster");
    JsonObject b = status(1).getJsonObject("cluster");

    assertTrue(a.getBoolean("enabled"));
    assertNotEquals(a.getString("node_id"), b.getString("node_id"));
    assertEquals(2, a.getJsonArray("members").size());
    assertEquals(a.getJsonArray("members"), b.getJsonArray("members"));
    assertTrue(a.getJsonArray("members").contains(a.getString("node_id")));
    assertTrue(a.getJsonArray("members").contains(b.getString("node_id")));
  }

  @Test
  void aRateLimitOnOneNodeCoolsTheKeyDownOnTheOther() throws Exception {
    CompletableFuture<AttemptOutcome> arrived = peerOutcome(1, o -> o.errorClass() == ErrorClass.RATE_LIMITED);
    fake.enqueue(Reply.error(429, "rate_limit_error", "slow down").header("retry-after", "60"));

    HttpResponse<String> first = ask(0, "first question");
    assertEquals(200, first.statusCode(), first.body());
    String cooled = arrived.get(10, TimeUnit.SECONDS).endpointId();
    String other = cooled.equals("ant-1") ? "ant-2" : "ant-1";
    assertEquals(other, first.headers().firstValue("x-ensemble-endpoint").orElseThrow(), "node A failed over to the other key");

    assertNotNull(endpoint(status(1), cooled).getJsonObject("health").getString("cooldown_until"), "node B knows of the cooldown");
    int callsBefore = fake.server().requests().size();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = ask(1, "question " + i + " for node B");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(other, r.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    }
    assertEquals(callsBefore + 4, fake.server().requests().size(), "node B never called the cooled key");
  }

  @Test
  void aConversationStartedOnOneNodeFollowsItsCacheOnTheOther() throws Exception {
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", "What does the router do?"));
    CompletableFuture<Void> learnt = peerUsageLearnt(1);
    HttpResponse<String> first = converse(0, messages);
    assertEquals(200, first.statusCode(), first.body());
    JsonObject firstUsage = new JsonObject(first.body()).getJsonObject("usage");
    assertTrue(firstUsage.getLong("cache_creation_input_tokens") > 1_024, "the first turn writes the prefix to the cache");
    learnt.get(10, TimeUnit.SECONDS);

    messages.add(new JsonObject().put("role", "assistant").put("content", new JsonObject(first.body()).getJsonArray("content")
        .getJsonObject(0).getString("text")));
    messages.add(new JsonObject().put("role", "user").put("content", "And the pools?"));
    HttpResponse<String> second = converse(1, messages);

    assertEquals(200, second.statusCode(), second.body());
    assertEquals("cache_affinity", second.headers().firstValue("x-ensemble-route-reason").orElseThrow());
    assertEquals(first.headers().firstValue("x-ensemble-endpoint").orElseThrow(),
        second.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertTrue(new JsonObject(second.body()).getJsonObject("usage").getLong("cache_read_input_tokens") > 1_024,
        "the follow-up reads the prefix node A's turn cached");
  }

  @Test
  void aKeyRejectedOnOneNodeIsDisabledOnTheOther() throws Exception {
    CompletableFuture<AttemptOutcome> arrived = peerOutcome(1, o -> o.errorClass() == ErrorClass.KEY_INVALID);
    fake.enqueue(Reply.error(401, "authentication_error", "invalid x-api-key"));

    HttpResponse<String> r = ask(0, "a question");
    assertEquals(200, r.statusCode(), r.body());
    String rejected = arrived.get(10, TimeUnit.SECONDS).endpointId();

    JsonObject statusB = status(1);
    assertTrue(endpoint(statusB, rejected).getJsonObject("health").getBoolean("key_disabled"), statusB.encodePrettily());
    assertEquals("degraded", statusB.getString("status"));
    String other = rejected.equals("ant-1") ? "ant-2" : "ant-1";
    assertFalse(endpoint(statusB, other).getJsonObject("health").getBoolean("key_disabled"));
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      used.add(ask(1, "question " + i).headers().firstValue("x-ensemble-endpoint").orElseThrow());
    }
    assertEquals(Set.of(other), used);
  }

  /** Completes with the first outcome of another node that node {@code index}'s bridge hands its pool and that matches. */
  private static CompletableFuture<AttemptOutcome> peerOutcome(int index, Predicate<AttemptOutcome> wanted) throws Exception {
    CompletableFuture<AttemptOutcome> done = new CompletableFuture<>();
    var vertx = nodes.node(index).vertx();
    MessageConsumer<AttemptOutcome> consumer = vertx.eventBus().localConsumer(Addresses.poolPeerOutcome("ant"));
    consumer.handler(m -> {
      if (wanted.test(m.body())) {
        consumer.unregister();
        // The pool took the outcome before this handler ran; its status reply comes after it.
        vertx.eventBus().request(Addresses.poolStatus("ant"), null).onComplete(ar -> done.complete(m.body()));
      }
    });
    consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return done;
  }

  /** Completes once node {@code index}'s router has taken in another node's next usage report. */
  private static CompletableFuture<Void> peerUsageLearnt(int index) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    var vertx = nodes.node(index).vertx();
    MessageConsumer<UsageReport> consumer = vertx.eventBus().localConsumer(Addresses.ROUTING_PEER_USAGE);
    consumer.handler(m -> {
      consumer.unregister();
      vertx.eventBus().request(Addresses.ROUTING_STATUS, null).onComplete(ar -> done.complete(null));
    });
    consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return done;
  }

  private HttpResponse<String> ask(int node, String question) throws Exception {
    return post(node, new JsonObject().put("model", "claude").put("max_tokens", 100)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", question))));
  }

  private HttpResponse<String> converse(int node, JsonArray messages) throws Exception {
    return post(node, new JsonObject().put("model", "claude").put("max_tokens", 200)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", SYSTEM)
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", messages.copy()));
  }

  private HttpResponse<String> post(int node, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(nodes.node(node).baseUrl() + "/v1/messages")).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject status(int node) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(nodes.node(node).baseUrl() + "/admin/status"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static JsonObject endpoint(JsonObject status, String id) {
    for (Object p : status.getJsonArray("providers")) {
      for (Object e : ((JsonObject) p).getJsonArray("endpoints")) {
        if (((JsonObject) e).getString("id").equals(id)) {
          return (JsonObject) e;
        }
      }
    }
    throw new AssertionError("no endpoint " + id + " in " + status.encodePrettily());
  }
}
