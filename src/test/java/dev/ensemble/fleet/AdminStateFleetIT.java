package dev.ensemble.fleet;

import dev.ensemble.balancer.ReadyBalancer;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.fleet.Fleet;
import dev.ensemble.testing.fleet.NodeProcess;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's view of a fleet of three separate JVMs of the real jar (one Hazelcast cluster, each node with its
 * own SQLite file) behind the ready-checking load balancer: a client created on node 1 is served at once by nodes 2
 * and 3 and through the balancer; a provider key added on node 2 is the one nodes 1 and 3 send upstream, also after
 * the whole fleet was stopped with SIGTERM and started again on the same data; {@code /admin/usage} on any node
 * counts every request made; a client deleted on node 3 is refused everywhere; a budget used up on node 1 stops the
 * client on every node; with node 3 frozen (SIGSTOP)
 * {@code /admin/usage} still answers in time, naming it in {@code missing_nodes} with the other nodes' rows. The only provider key is the one
 * added at run time, so the fake upstream's {@code authorization} header tells which key a node used.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminStateFleetIT {

  private static final int NODES = 3;
  private static final Duration READY = Fleet.READY_TIMEOUT;
  private static final String ADDED_KEY = "sk-added-on-node-2-0001";

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static Vertx vertx;
  private static Fleet fleet;
  private static ReadyBalancer lb;
  private static String clientId;
  private static String clientKey;
  /** Chat requests answered 200 so far, each one a ledger row somewhere in the fleet. */
  private static int served;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startFleet() throws Exception {
    vertx = Vertx.vertx();
    String yaml = """
        server: { host: 127.0.0.1, port: %%PORT%%, admin_key: %s, require_client_keys: true, drain_timeout_ms: 5000, drain_grace_ms: 200 }
        storage: { sqlite_path: %%DIR%%/data/ensemble.db, encryption_key: "%s" }
        responses: { store: local, local_dir: %%DIR%%/data/responses }
        cluster: { enabled: true, config: "%%CLUSTER_XML%%" }
        providers:
          oai: { type: openai, base_url: %s, keys: [] }
        models:
          gpt:
            pricing: { input: 1.00, output: 2.00 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
        """.formatted(FleetClient.ADMIN_KEY, FleetIT.randomEncryptionKey(), fake.openAiBaseUrl());
    fleet = Fleet.start(Path.of(GatewayExtension.scratchDir("admin-fleet")), NODES, yaml, Map.of(), READY);
    lb = await(ReadyBalancer.start(vertx, fleet.ports(), 100));
    awaitInRotation();
  }

  @AfterAll
  static void stopFleet() throws Exception {
    try {
      if (lb != null) {
        lb.close();
      }
    } finally {
      if (fleet != null) {
        fleet.close();
      }
      await(vertx.close());
    }
  }

  @BeforeEach
  void onlyTheAddedKeyIsAccepted() {
    fake.server().acceptKeys(ADDED_KEY);
  }

  @Test
  @Order(1)
  void clientCreatedOnNode1IsServedAtOnceByNodes2And3DirectlyAndThroughTheBalancer() throws Exception {
    HttpResponse<String> added = admin(1, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", "extra").put("api_key", ADDED_KEY));
    assertEquals(201, added.statusCode(), added.body());
    HttpResponse<String> created = admin(0, "POST", "/admin/clients", new JsonObject().put("name", "everywhere"));
    assertEquals(201, created.statusCode(), created.body());
    clientId = new JsonObject(created.body()).getString("id");
    clientKey = new JsonObject(created.body()).getString("key");

    for (int node : new int[] {1, 2}) {
      HttpResponse<String> answer = chat(fleet.node(node).baseUrl(), clientKey);
      assertEquals(200, answer.statusCode(), "node " + (node + 1) + ", at once: " + answer.body());
      served++;
    }
    for (int i = 0; i < NODES; i++) {
      HttpResponse<String> answer = chat(lb.baseUrl(), clientKey);
      assertEquals(200, answer.statusCode(), "through the balancer, request " + i + ": " + answer.body());
      served++;
    }
  }

  @Test
  @Order(2)
  void keyAddedOnNode2IsUsedByNodes1And3AndSurvivesAWholeFleetRestart() throws Exception {
    assertNodes1And3SendTheAddedKey();

    for (NodeProcess node : fleet.nodes()) {
      node.sigterm();
    }
    for (NodeProcess node : fleet.nodes()) {
      assertEquals(0, node.awaitExit(Duration.ofSeconds(30)), node.logTail(30));
    }
    fleet.nodes().forEach(NodeProcess::start);
    fleet.nodes().forEach(node -> node.awaitReady(READY));
    awaitInRotation();

    assertNodes1And3SendTheAddedKey();
    for (int node = 0; node < NODES; node++) {
      String listed = admin(node, "GET", "/admin/keys", null).body();
      assertTrue(listed.contains("\"extra\""), "node " + (node + 1) + " lists the key after the restart: " + listed);
      assertFalse(listed.contains(ADDED_KEY), "masked");
    }
  }

  @Test
  @Order(3)
  void usageOnAnyNodeEqualsTheSumOfTheRequestsMadeOnAllNodes() throws Exception {
    for (int node = 0; node < NODES; node++) {
      int n = node;
      FleetIT.eventually("node " + (node + 1) + " counts " + served + " requests",
          () -> clientUsage(fleet.node(n).baseUrl()).getLong("requests", 0L) == served);
    }
    JsonObject usage = new JsonObject(admin(lb.baseUrl(), "GET", "/admin/usage?from=2000-01-01&group_by=client", null).body());
    assertEquals(new JsonArray(), usage.getJsonArray("missing_nodes"), usage.encode());
    assertEquals(served, clientUsage(lb.baseUrl()).getLong("requests", 0L), "through the balancer: " + usage.encode());
  }

  @Test
  @Order(4)
  void clientDeletedOnNode3IsRefusedByEveryNode() throws Exception {
    HttpResponse<String> deleted = admin(2, "DELETE", "/admin/clients/" + clientId, null);
    assertEquals(200, deleted.statusCode(), deleted.body());
    int upstreamBefore = fake.requestCount();
    for (int node = 0; node < NODES; node++) {
      HttpResponse<String> refused = chat(fleet.node(node).baseUrl(), clientKey);
      assertEquals(401, refused.statusCode(), "node " + (node + 1) + ": " + refused.body());
    }
    for (int i = 0; i < NODES; i++) {
      assertEquals(401, chat(lb.baseUrl(), clientKey).statusCode(), "through the balancer, request " + i);
    }
    assertEquals(upstreamBefore, fake.requestCount(), "refused requests never reach the upstream");
  }

  @Test
  @Order(5)
  void aBudgetSpentOnOneNodeStopsTheClientOnEveryNodeAndThroughTheBalancer() throws Exception {
    HttpResponse<String> created = admin(2, "POST", "/admin/clients", new JsonObject().put("name", "thrifty").put("monthly_budget_usd", "0.001"));
    assertEquals(201, created.statusCode(), created.body());
    String key = new JsonObject(created.body()).getString("key");
    String id = new JsonObject(created.body()).getString("id");
    // (1000 x 1.00 + 200 x 2.00) / 1M = 0.0014 USD: the first request passes (nothing spent yet) and uses the budget up
    fake.enqueue(Reply.text("costly").usage(1000, 200, 0, 0));
    assertEquals(200, chat(fleet.node(0).baseUrl(), key).statusCode(), "the first request, on node 1");

    for (int node = 0; node < NODES; node++) {
      int n = node;
      // each node publishes its clients' spend every 250 ms
      FleetIT.eventually("node " + (node + 1) + " knows node 1's spend", () -> new BigDecimal("0.0014").compareTo(spent(n, id)) == 0);
    }
    int upstream = fake.requestCount();
    for (int node = 0; node < NODES; node++) {
      HttpResponse<String> refused = chat(fleet.node(node).baseUrl(), key);
      assertEquals(429, refused.statusCode(), "node " + (node + 1) + ": " + refused.body());
      assertTrue(refused.body().contains("monthly budget"), refused.body());
    }
    for (int i = 0; i < NODES; i++) {
      assertEquals(429, chat(lb.baseUrl(), key).statusCode(), "through the balancer, request " + i);
    }
    assertEquals(upstream, fake.requestCount(), "refused requests never reach the upstream");
  }

  @Test
  @Order(6)
  void usageWithANodeFrozenAnswersInTimeListingItMissingAndTheOthersRowsThenAllOnceItThaws() throws Exception {
    HttpResponse<String> created = admin(0, "POST", "/admin/clients", new JsonObject().put("name", "counted-per-node"));
    assertEquals(201, created.statusCode(), created.body());
    String counted = new JsonObject(created.body()).getString("id");
    String key = new JsonObject(created.body()).getString("key");
    int[] perNode = {2, 1, 3};
    for (int node = 0; node < NODES; node++) {
      for (int i = 0; i < perNode[node]; i++) {
        assertEquals(200, chat(fleet.node(node).baseUrl(), key).statusCode(), "node " + (node + 1));
      }
    }
    String all = "/admin/usage?from=2000-01-01&group_by=client";
    FleetIT.eventually("every node's ledger has its rows", () -> requests(admin(0, "GET", all, null).body(), counted) == 6);
    NodeProcess frozen = fleet.node(2);
    String frozenId = new JsonObject(admin(2, "GET", "/admin/status", null).body()).getJsonObject("cluster").getString("node_id");

    frozen.freeze();
    try {
      // The documented wait for a member is 5 s (UsageHandler.MEMBER_TIMEOUT_MS); the request's own timeout leaves
      // the loaded machine 5 s more, so an answer that waits on the frozen node beyond its turn fails here.
      HttpResponse<String> during = http.send(HttpRequest.newBuilder(URI.create(fleet.node(0).baseUrl() + all))
          .header("authorization", "Bearer " + FleetClient.ADMIN_KEY).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, during.statusCode(), during.body());
      JsonObject usage = new JsonObject(during.body());
      assertEquals(new JsonArray().add(frozenId), usage.getJsonArray("missing_nodes"), usage.encode());
      assertEquals(3, requests(during.body(), counted), "the rows of nodes 1 and 2, not node 3's: " + usage.encode());
      JsonArray nodes = new JsonObject(admin(1, "GET", "/admin/status", null).body()).getJsonObject("cluster").getJsonArray("nodes");
      assertTrue(nodes.stream().anyMatch(n -> frozenId.equals(((JsonObject) n).getString("node_id"))
          && "unreachable".equals(((JsonObject) n).getString("status"))), "node 2's status: " + nodes.encode());
    } finally {
      frozen.thaw();
    }

    JsonObject after = new JsonObject(admin(1, "GET", all, null).body());
    assertEquals(new JsonArray(), after.getJsonArray("missing_nodes"), after.encode());
    assertEquals(6, requests(after.encode(), counted), after.encode());
  }

  // --- helpers

  private BigDecimal spent(int node, String id) throws Exception {
    for (Object c : new JsonObject(admin(node, "GET", "/admin/clients", null).body()).getJsonArray("clients")) {
      if (id.equals(((JsonObject) c).getString("id"))) {
        return new BigDecimal(((JsonObject) c).getString("spent_this_month_usd"));
      }
    }
    return BigDecimal.ZERO;
  }

  /** {@code requests} of client {@code id}'s row in a {@code group_by=client} usage answer; 0 without one. */
  private static long requests(String usage, String id) {
    for (Object r : new JsonObject(usage).getJsonArray("rows", new JsonArray())) {
      if (id.equals(((JsonObject) r).getString("client"))) {
        return ((JsonObject) r).getLong("requests", 0L);
      }
    }
    return 0;
  }

  private void assertNodes1And3SendTheAddedKey() throws Exception {
    for (int node : new int[] {0, 2}) {
      HttpResponse<String> answer = chat(fleet.node(node).baseUrl(), clientKey);
      assertEquals(200, answer.statusCode(), "node " + (node + 1) + ": " + answer.body() + "\n" + fleet.node(node).logTail(20));
      served++;
      assertEquals("oai-extra", answer.headers().firstValue("x-ensemble-endpoint").orElseThrow(), "the endpoint named after the added key");
      assertEquals("Bearer " + ADDED_KEY, fake.lastRequest().header("authorization"), "the key node " + (node + 1) + " sent upstream");
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Waits (on the first node's process, 50 ms at a time, at most 60 s) until every node is in the balancer's rotation. */
  private static void awaitInRotation() {
    for (int i = 0; i < 1200 && lb.ready().size() < NODES; i++) {
      fleet.node(0).awaitReadyStatusChange();
    }
    assertEquals(NODES, lb.ready().size(), "nodes in the balancer's rotation");
  }

  private JsonObject clientUsage(String baseUrl) throws Exception {
    JsonObject usage = new JsonObject(admin(baseUrl, "GET", "/admin/usage?from=2000-01-01&group_by=client", null).body());
    for (Object r : usage.getJsonArray("rows", new JsonArray())) {
      if (clientId.equals(((JsonObject) r).getString("client"))) {
        return (JsonObject) r;
      }
    }
    return new JsonObject();
  }

  private HttpResponse<String> chat(String baseUrl, String key) throws Exception {
    JsonObject body = new JsonObject().put("model", "gpt")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello from the fleet")));
    return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(int node, String method, String path, JsonObject body) throws Exception {
    return admin(fleet.node(node).baseUrl(), method, path, body);
  }

  private HttpResponse<String> admin(String baseUrl, String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("authorization", "Bearer " + FleetClient.ADMIN_KEY).timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
