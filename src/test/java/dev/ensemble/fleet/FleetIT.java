package dev.ensemble.fleet;

import dev.ensemble.testing.cluster.ClusterNodes;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three gateway nodes, each a real Hazelcast member with its own SQLite file, in front of one fake OpenAI
 * upstream, behaving as one gateway for an operator: what the admin API changes on one node is in force on the
 * others when it answers, budgets count every node's spend, usage is the fleet's, and the shared state survives a
 * node's restart and the whole fleet's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {

  private static final String ADMIN_KEY = "admin-fleet-test-key";
  private static final String NEW_KEY = "sk-fleet-added-key-0001";
  private static final String SLOT_KEY = "sk-fleet-slot-key-0002";
  private static final String ENCRYPTION_KEY = randomEncryptionKey();
  private static final String[] DIRS = {GatewayExtension.scratchDir("fleet-0"), GatewayExtension.scratchDir("fleet-1"),
      GatewayExtension.scratchDir("fleet-2")};

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static ClusterNodes fleet;
  private static String survivorKey;
  private static String survivorId;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  static String yaml(int node, String encryptionKey) {
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s, require_client_keys: true }
        storage: { sqlite_path: %s/ensemble.db, encryption_key: "%s" }
        responses: { local_dir: %s/responses }
        cluster: { enabled: true }
        providers:
          oai: { type: openai, base_url: %s, keys: [] }
          slot:
            type: openai
            base_url: %s
            keys:
              - { name: primary, api_key: "", weight: 2.0, endpoints: [ { id: slot-1, rpm_limit: 1000 } ] }
        models:
          gpt:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
          gpt-slot:
            pricing: { input: 3.00, output: 15.00 }
            providers: [ { provider: slot, model: gpt-4o-mini } ]
        """.formatted(ADMIN_KEY, DIRS[node], encryptionKey, DIRS[node], fake.openAiBaseUrl(), fake.openAiBaseUrl());
  }

  @BeforeAll
  static void startThreeNodes() throws Exception {
    fleet = ClusterNodes.start(3, i -> yaml(i, ENCRYPTION_KEY));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @BeforeEach
  void anyUpstreamKey() {
    fake.server().acceptAnyKey();
  }

  @Test
  @Order(10)
  void clientCreatedOnOneNodeIsServedByAll() throws Exception {
    JsonObject client = createClient(0, new JsonObject().put("name", "everywhere"));
    String key = client.getString("key");
    addKeyOnce();

    for (int node = 0; node < 3; node++) {
      HttpResponse<String> served = chat(node, key, "gpt");
      assertEquals(200, served.statusCode(), "node " + node + ": " + served.body());
    }
    for (int node = 0; node < 3; node++) {
      JsonArray listed = new JsonObject(admin(node, "GET", "/admin/clients", null).body()).getJsonArray("clients");
      assertTrue(listed.stream().anyMatch(c -> client.getString("id").equals(((JsonObject) c).getString("id"))), "node " + node + " lists it");
    }
  }

  @Test
  @Order(10)
  void statusOfAnyNodeListsEveryMemberWithItsHealth() throws Exception {
    for (int node = 0; node < 3; node++) {
      JsonObject status = new JsonObject(admin(node, "GET", "/admin/status", null).body());
      JsonArray nodes = status.getJsonObject("cluster").getJsonArray("nodes");
      assertEquals(3, nodes.size(), nodes.encode());
      for (int other = 0; other < 3; other++) {
        String listen = "127.0.0.1:" + fleet.node(other).gateway().port();
        assertTrue(nodes.stream().anyMatch(n -> listen.equals(((JsonObject) n).getString("listen"))
            && "ok".equals(((JsonObject) n).getString("status"))), "node " + node + " lists node " + other + ": " + nodes.encode());
      }
    }
  }

  @Test
  @Order(20)
  void clientDeletedOnOneNodeIsRefusedByAll() throws Exception {
    addKeyOnce();
    JsonObject client = createClient(1, new JsonObject().put("name", "short-lived"));
    assertEquals(200, chat(2, client.getString("key"), "gpt").statusCode());

    assertEquals(200, admin(2, "DELETE", "/admin/clients/" + client.getString("id"), null).statusCode());

    for (int node = 0; node < 3; node++) {
      assertEquals(401, chat(node, client.getString("key"), "gpt").statusCode(), "node " + node);
    }
    assertEquals(404, admin(0, "DELETE", "/admin/clients/" + client.getString("id"), null).statusCode(), "already gone on every node");
  }

  @Test
  @Order(30)
  void keyAddedOnOneNodeIsUsedByTheOthers() throws Exception {
    addKeyOnce();
    String key = createClient(0, new JsonObject().put("name", "key-user")).getString("key");
    fake.server().acceptKeys(NEW_KEY);

    for (int node : new int[] {0, 2}) {
      HttpResponse<String> served = chat(node, key, "gpt");
      assertEquals(200, served.statusCode(), "node " + node + ": " + served.body());
      assertEquals("oai-extra", served.headers().firstValue("x-ensemble-endpoint").orElseThrow(), "the endpoint named after the key");
      assertEquals("Bearer " + NEW_KEY, fake.lastRequest().header("authorization"));
    }
    for (int node = 0; node < 3; node++) {
      String listed = admin(node, "GET", "/admin/keys", null).body();
      assertTrue(listed.contains("\"oai\"") && listed.contains("\"extra\""), "node " + node + ": " + listed);
      assertTrue(!listed.contains(NEW_KEY), "masked");
    }
  }

  @Test
  @Order(40)
  void aConfigKeyFilledOnOneNodeServesWithTheConfigsEndpointsEverywhere() throws Exception {
    String key = createClient(0, new JsonObject().put("name", "slot-user")).getString("key");
    assertEquals(503, chat(1, key, "gpt-slot").statusCode(), "the config key has no api_key yet");

    HttpResponse<String> filled = admin(2, "POST", "/admin/keys", new JsonObject().put("provider", "slot").put("name", "primary")
        .put("api_key", SLOT_KEY));
    assertEquals(201, filled.statusCode(), filled.body());
    JsonObject body = new JsonObject(filled.body());
    assertEquals(2.0, body.getDouble("weight"), "the config's weight");
    assertEquals(new JsonArray().add(new JsonObject().put("id", "slot-1").put("rpm_limit", 1000)), body.getJsonArray("endpoints"));

    fake.server().acceptKeys(SLOT_KEY);
    for (int node = 0; node < 3; node++) {
      HttpResponse<String> served = chat(node, key, "gpt-slot");
      assertEquals(200, served.statusCode(), "node " + node + ": " + served.body());
      assertEquals("slot-1", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
      assertEquals("Bearer " + SLOT_KEY, fake.lastRequest().header("authorization"));
    }

    HttpResponse<String> again = admin(0, "POST", "/admin/keys", new JsonObject().put("provider", "slot").put("name", "primary")
        .put("api_key", "sk-another-one-0003"));
    assertEquals(409, again.statusCode(), again.body());

    assertEquals(204, admin(1, "DELETE", "/admin/keys/" + body.getString("id"), null).statusCode());
    for (int node = 0; node < 3; node++) {
      assertEquals(503, chat(node, key, "gpt-slot").statusCode(), "node " + node + ": the slot is empty again");
      assertTrue(admin(node, "GET", "/admin/keys", null).body().contains("config:slot:primary"), "the config key itself stays");
    }
  }

  @Test
  @Order(50)
  void aBudgetSpentAcrossNodesStopsTheClientOnEveryNode() throws Exception {
    addKeyOnce();
    JsonObject client = createClient(2, new JsonObject().put("name", "thrifty").put("monthly_budget_usd", "0.02"));
    String key = client.getString("key");
    // OpenAI's format has no cache writes, so they count as input: (3000 x 3.00 + 200 x 15.00 + 5000 x 0.30) / 1M
    // = 0.0135 USD a request: the second passes (0.0135 < 0.02), then 0.027 is spent on two nodes
    fake.enqueue(Reply.text("one").usage(1000, 200, 5000, 2000), Reply.text("two").usage(1000, 200, 5000, 2000));
    assertEquals(200, chat(0, key, "gpt").statusCode());
    assertEquals(200, chat(1, key, "gpt").statusCode());

    for (int node = 0; node < 3; node++) {
      int n = node;
      eventually("node " + node + " counts both nodes' spend", () -> new BigDecimal("0.027").compareTo(spent(n, client.getString("id"))) == 0);
    }
    int before = fake.requestCount();
    for (int node = 0; node < 3; node++) {
      HttpResponse<String> refused = chat(node, key, "gpt");
      assertEquals(429, refused.statusCode(), "node " + node + ": " + refused.body());
      assertTrue(refused.body().contains("monthly budget of $0.02"), refused.body());
    }
    assertEquals(before, fake.requestCount(), "refused requests never reach the upstream");

    eventually("node 0's usage counts both requests", () -> clientUsage(0, client.getString("id")).getLong("requests", 0L) == 2);
    for (int node = 0; node < 3; node++) {
      JsonObject usage = new JsonObject(admin(node, "GET", "/admin/usage?from=2000-01-01&group_by=client", null).body());
      assertEquals(new JsonArray(), usage.getJsonArray("missing_nodes"));
      JsonObject row = clientUsage(node, client.getString("id"));
      assertEquals(2L, row.getLong("requests"), "node " + node + ": " + row);
      assertEquals(400L, row.getLong("output"), "node " + node + ": " + row);
      assertEquals(0, new BigDecimal("0.027").compareTo(new BigDecimal(row.getValue("cost_usd").toString())), row.encode());
    }
  }

  @Test
  @Order(60)
  void aResponseServedByOneNodeIsReadableFromAnotherAndFollowedLiveWhileItStreams() throws Exception {
    addKeyOnce();
    fake.server().acceptKeys(NEW_KEY);
    String key = createClient(0, new JsonObject().put("name", "reader")).getString("key");

    fake.enqueue(Reply.text("a stored answer"));
    HttpResponse<String> served = chat(0, key, "gpt");
    assertEquals(200, served.statusCode(), served.body());
    String storedId = served.headers().firstValue("x-ensemble-request-id").orElseThrow();
    eventually("node 2 reads the response node 0 served", () -> get(2, "/api/v1/responses/" + storedId, key, null).statusCode() == 200);
    JsonObject read = new JsonObject(get(2, "/api/v1/responses/" + storedId, key, null).body());
    assertEquals("completed", read.getString("status"));
    assertEquals("a stored answer", read.getString("text"));
    assertEquals(404, get(2, "/api/v1/responses/" + storedId, createClient(1, new JsonObject().put("name", "stranger")).getString("key"), null)
        .statusCode(), "another client is told it does not exist");

    String words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
    fake.enqueue(Reply.text(words).eventDelayMs(150));
    JsonObject body = new JsonObject().put("model", "gpt").put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "stream to me")));
    HttpResponse<java.io.InputStream> streaming = http.sendAsync(HttpRequest.newBuilder(URI.create(fleet.node(0).baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
    String liveId = streaming.headers().firstValue("x-ensemble-request-id").orElseThrow();

    JsonObject during = new JsonObject(get(1, "/api/v1/responses/" + liveId, key, null).body());
    assertEquals("in_progress", during.getString("status"), "node 1 sees node 0's stream while it runs");
    HttpResponse<String> followed = get(1, "/api/v1/responses/" + liveId + "/events", key, "1");
    String whole = new String(streaming.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

    assertEquals(200, followed.statusCode());
    List<Long> ids = followed.body().lines().filter(l -> l.startsWith("id:")).map(l -> Long.parseLong(l.substring(3).strip())).toList();
    assertEquals(2L, ids.get(0), "resumed after Last-Event-ID 1: " + followed.body());
    for (int i = 1; i < ids.size(); i++) {
      assertEquals(ids.get(i - 1) + 1, ids.get(i), "no event lost or repeated");
    }
    assertTrue(followed.body().contains("response.end"), followed.body());
    StringBuilder text = new StringBuilder();
    followed.body().lines().filter(l -> l.startsWith("data:")).map(l -> new JsonObject(l.substring(5).strip()))
        .filter(e -> "block.delta".equals(e.getString("type"))).forEach(e -> text.append(e.getString("text", "")));
    assertTrue(words.endsWith(text.toString().strip()) && text.length() > 0, text.toString());
    assertTrue(whole.contains("[DONE]"));
  }

  @Test
  @Order(61)
  void aResponsesApiAnswerStoredOnOneNodeIsReadContinuedAndDeletedThroughAnother() throws Exception {
    addKeyOnce();
    fake.server().acceptKeys(NEW_KEY);
    String key = createClient(0, new JsonObject().put("name", "codex")).getString("key");
    fake.enqueue(Reply.text("The capital is Paris."), Reply.text("About two million."));

    HttpResponse<String> first = post(0, "/v1/responses", key, new JsonObject().put("model", "gpt").put("input", "Capital of France?"));
    assertEquals(200, first.statusCode(), first.body());
    String id = new JsonObject(first.body()).getString("id");
    eventually("node 2 reads the response node 0 stored", () -> get(2, "/v1/responses/" + id, key, null).statusCode() == 200);
    assertEquals("The capital is Paris.", new JsonObject(get(2, "/v1/responses/" + id, key, null).body()).getJsonArray("output")
        .getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"));
    HttpResponse<String> next = post(1, "/v1/responses", key, new JsonObject().put("model", "gpt").put("input", "Its population?")
        .put("previous_response_id", id));

    assertEquals(200, next.statusCode(), "a balancer may send the next turn to any node: " + next.body());
    assertTrue(fake.lastRequest().json().encode().contains("The capital is Paris."), "the history went upstream");
    HttpResponse<String> deleted = send(2, "DELETE", "/v1/responses/" + id, key);
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals(404, get(0, "/v1/responses/" + id, key, null).statusCode(), "deleted on the node that stored it");

    fake.enqueue(Reply.text("one two three four five six seven eight nine ten").eventDelayMs(150));
    HttpResponse<java.io.InputStream> streaming = http.sendAsync(HttpRequest.newBuilder(URI.create(fleet.node(0).baseUrl() + "/v1/responses"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", "gpt").put("stream", true).put("input", "Count").encode())).build(),
        HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
    String liveId = streaming.headers().firstValue("x-ensemble-request-id").orElseThrow();
    HttpResponse<String> during = get(1, "/v1/responses/" + liveId, key, null);
    assertEquals(409, during.statusCode(), "still being produced on node 0: " + during.body());
    assertTrue(during.headers().firstValue("retry-after").isPresent());
    streaming.body().readAllBytes();
    eventually("node 1 reads it once node 0 stored it", () -> get(1, "/v1/responses/" + liveId, key, null).statusCode() == 200);
  }

  @Test
  @Order(60)
  void withoutRedisAClientsRateIsSharedFairlyByTheLiveNodes() throws Exception {
    addKeyOnce();
    fake.server().acceptKeys(NEW_KEY);
    String key = createClient(1, new JsonObject().put("name", "fair").put("rpm_limit", 3)).getString("key");

    for (int node = 0; node < 3; node++) {
      assertEquals(200, chat(node, key, "gpt").statusCode(), "node " + node + " admits its share, one request");
      HttpResponse<String> refused = chat(node, key, "gpt");
      assertEquals(429, refused.statusCode(), "node " + node + ": 3 requests a minute over 3 nodes is one each");
      assertTrue(refused.body().contains("over its limit of 3 requests per minute"), refused.body());
    }
  }

  @Test
  @Order(65)
  void aKeyDisabledOnOneNodeIsOutOfServiceEverywhereUntilReEnabled() throws Exception {
    addKeyOnce();
    fake.server().acceptKeys(NEW_KEY);
    String key = createClient(0, new JsonObject().put("name", "key-states")).getString("key");
    String keyId = adminKeyId(0, "oai", "extra");

    HttpResponse<String> disabled = admin(0, "POST", "/admin/keys/" + keyId + "/disable", null);
    assertEquals(200, disabled.statusCode(), disabled.body());
    for (int node = 0; node < 3; node++) {
      assertEquals(503, chat(node, key, "gpt").statusCode(), "node " + node + " routes nothing to a disabled key");
      assertTrue(admin(node, "GET", "/admin/keys", null).body().contains("disabled by an operator"), "node " + node);
    }
    assertEquals(200, admin(2, "POST", "/admin/keys/" + keyId + "/enable", null).statusCode());
    for (int node = 0; node < 3; node++) {
      assertEquals(200, chat(node, key, "gpt").statusCode(), "node " + node + " serves the re-enabled key");
    }

    fake.server().acceptKeys("sk-some-other-key");
    assertEquals(502, chat(1, key, "gpt").statusCode(), "the provider rejects the key: no other key is left");
    for (int node = 0; node < 3; node++) {
      int n = node;
      eventually("node " + node + " holds the rejected key disabled", () -> new JsonObject(admin(n, "GET", "/admin/status", null).body())
          .encode().contains("\"key_disabled\":true"));
    }
    fake.server().acceptKeys(NEW_KEY);
    assertEquals(503, chat(2, key, "gpt").statusCode(), "still disabled on another node, though the provider would take it now");
    assertEquals(200, admin(0, "POST", "/admin/keys/" + keyId + "/enable", null).statusCode(), "an operator re-enables it on one node");
    for (int node = 0; node < 3; node++) {
      assertEquals(200, chat(node, key, "gpt").statusCode(), "node " + node + " serves the re-enabled key");
    }
    assertEquals(404, admin(1, "POST", "/admin/keys/pk_no_such_key/disable", null).statusCode());
  }

  @Test
  @Order(70)
  void badInputGetsAClearErrorAndChangesNothing() throws Exception {
    String clientsBefore = clientIds(0);
    String keysBefore = admin(0, "GET", "/admin/keys", null).body();

    HttpResponse<String> unknownClient = admin(1, "DELETE", "/admin/clients/cli_no_such_client", null);
    assertEquals(404, unknownClient.statusCode());
    assertTrue(unknownClient.body().contains("No client with id 'cli_no_such_client'"), unknownClient.body());

    HttpResponse<String> unknownProvider = admin(2, "POST", "/admin/keys", new JsonObject().put("provider", "nope").put("name", "k")
        .put("api_key", "sk-whatever-0004"));
    assertEquals(400, unknownProvider.statusCode());
    assertTrue(unknownProvider.body().contains("no provider named 'nope'"), unknownProvider.body());

    HttpResponse<String> sameName = admin(2, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", "extra")
        .put("api_key", "sk-whatever-0005"));
    assertEquals(409, sameName.statusCode(), sameName.body());

    for (int node = 0; node < 3; node++) {
      assertEquals(clientsBefore, clientIds(node), "node " + node);
      assertEquals(keysBefore, admin(node, "GET", "/admin/keys", null).body(), "node " + node);
    }
  }

  @Test
  @Order(80)
  void aNodeWithAnotherEncryptionKeyRefusesToJoinAndSaysWhy() throws Exception {
    addKeyOnce();
    fleet.stopNode(2);

    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> fleet.startNode(2, yaml(2, randomEncryptionKey())));
    assertTrue(refused.getCause().getMessage().contains("is not the key the fleet's provider keys are encrypted with"),
        refused.getCause().getMessage());

    fleet.startNode(2);
    fake.server().acceptKeys(NEW_KEY);
    String key = createClient(0, new JsonObject().put("name", "after-refusal")).getString("key");
    assertEquals(200, chat(2, key, "gpt").statusCode(), "the node restarted with the fleet's key serves");
  }

  @Test
  @Order(90)
  void aRestartedNodeConvergesOnWhatChangedWhileItWasAway() throws Exception {
    addKeyOnce();
    JsonObject gone = createClient(0, new JsonObject().put("name", "deleted-while-away"));
    fleet.stopNode(1);

    JsonObject added = createClient(0, new JsonObject().put("name", "added-while-away"));
    assertEquals(200, admin(2, "DELETE", "/admin/clients/" + gone.getString("id"), null).statusCode());
    fleet.startNode(1);

    assertEquals(200, chat(1, added.getString("key"), "gpt").statusCode());
    assertEquals(401, chat(1, gone.getString("key"), "gpt").statusCode());
    assertEquals(clientIds(0), clientIds(1));
    survivorKey = added.getString("key");
    survivorId = added.getString("id");
  }

  @Test
  @Order(95)
  void aNodeCutOffFromTheFleetConvergesWhenItComesBack() throws Exception {
    addKeyOnce();
    JsonObject keptByFleet = createClient(0, new JsonObject().put("name", "deleted-by-the-cut-off-node"));
    JsonObject renamedBoth = createClient(0, new JsonObject().put("name", "changed-on-both-sides"));
    fleet.stopNode(2);
    fleet.startIsolated(2);

    JsonObject madeAlone = createClient(2, new JsonObject().put("name", "made-while-cut-off"));
    assertEquals(200, admin(2, "DELETE", "/admin/clients/" + keptByFleet.getString("id"), null).statusCode());
    JsonObject madeByFleet = createClient(1, new JsonObject().put("name", "made-by-the-fleet-meanwhile"));
    assertEquals(401, chat(2, madeByFleet.getString("key"), "gpt").statusCode(), "cut off: node 2 does not know it");
    assertEquals(401, chat(0, madeAlone.getString("key"), "gpt").statusCode(), "and the fleet does not know node 2's");
    assertEquals(200, admin(1, "DELETE", "/admin/clients/" + renamedBoth.getString("id"), null).statusCode());

    fleet.stopNode(2);
    fleet.startNode(2);

    for (int node = 0; node < 3; node++) {
      assertEquals(200, chat(node, madeAlone.getString("key"), "gpt").statusCode(), "node " + node + ": the cut-off node's client");
      assertEquals(200, chat(node, madeByFleet.getString("key"), "gpt").statusCode(), "node " + node + ": the fleet's client");
      assertEquals(401, chat(node, keptByFleet.getString("key"), "gpt").statusCode(), "node " + node + ": deleted while cut off");
      assertEquals(401, chat(node, renamedBoth.getString("key"), "gpt").statusCode(), "node " + node + ": deleted by the fleet");
    }
    assertEquals(clientIds(0), clientIds(2));
    assertEquals(clientIds(1), clientIds(2));
    survivorKey = madeAlone.getString("key");
    survivorId = madeAlone.getString("id");
  }

  @Test
  @Order(100)
  void clientsAndKeysSurviveARestartOfTheWholeFleet() throws Exception {
    addKeyOnce();
    String before = clientIds(0);
    for (int node = 0; node < 3; node++) {
      fleet.stopNode(node);
    }
    for (int node = 0; node < 3; node++) {
      fleet.startNode(node);
    }

    fake.server().acceptKeys(NEW_KEY);
    for (int node = 0; node < 3; node++) {
      assertEquals(before, clientIds(node), "node " + node);
      HttpResponse<String> served = chat(node, survivorKey, "gpt");
      assertEquals(200, served.statusCode(), "node " + node + ": " + served.body());
      assertEquals("oai-extra", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
      assertEquals("Bearer " + NEW_KEY, fake.lastRequest().header("authorization"));
    }
    assertTrue(before.contains(survivorId));
  }

  // --- helpers

  static String randomEncryptionKey() {
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.Base64.getEncoder().encodeToString(bytes);
  }

  private static boolean keyAdded;

  /** The provider key {@code extra} of {@code oai}, added once on node 1 (no endpoints: it gets {@code oai-extra}). */
  private void addKeyOnce() throws Exception {
    if (keyAdded) {
      return;
    }
    HttpResponse<String> added = admin(1, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", "extra").put("api_key", NEW_KEY));
    assertEquals(201, added.statusCode(), added.body());
    assertEquals(new JsonArray(), new JsonObject(added.body()).getJsonArray("pending_nodes"), "every member confirmed before the answer");
    keyAdded = true;
  }

  private String adminKeyId(int node, String provider, String name) throws Exception {
    for (Object k : new JsonObject(admin(node, "GET", "/admin/keys", null).body()).getJsonArray("data")) {
      JsonObject key = (JsonObject) k;
      if (provider.equals(key.getString("provider")) && name.equals(key.getString("name"))) {
        return key.getString("id");
      }
    }
    throw new AssertionError("no key " + provider + "/" + name);
  }

  private JsonObject createClient(int node, JsonObject body) throws Exception {
    HttpResponse<String> created = admin(node, "POST", "/admin/clients", body);
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body());
  }

  private String clientIds(int node) throws Exception {
    JsonArray clients = new JsonObject(admin(node, "GET", "/admin/clients", null).body()).getJsonArray("clients");
    return clients.stream().map(c -> ((JsonObject) c).getString("id")).sorted().toList().toString();
  }

  private BigDecimal spent(int node, String clientId) throws Exception {
    for (Object c : new JsonObject(admin(node, "GET", "/admin/clients", null).body()).getJsonArray("clients")) {
      if (clientId.equals(((JsonObject) c).getString("id"))) {
        return new BigDecimal(((JsonObject) c).getString("spent_this_month_usd"));
      }
    }
    return BigDecimal.ZERO;
  }

  private JsonObject clientUsage(int node, String clientId) throws Exception {
    JsonObject usage = new JsonObject(admin(node, "GET", "/admin/usage?from=2000-01-01&group_by=client", null).body());
    for (Object r : usage.getJsonArray("rows")) {
      if (clientId.equals(((JsonObject) r).getString("client"))) {
        return (JsonObject) r;
      }
    }
    return new JsonObject();
  }

  private HttpResponse<String> chat(int node, String key, String model) throws Exception {
    JsonObject body = new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello from a fleet test")));
    return http.send(HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int node, String path, String key, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + path))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(int node, String method, String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + path)).header("authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int node, String path, String key, String lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + path))
        .header("authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).GET();
    if (lastEventId != null) {
      request.header("last-event-id", lastEventId);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(int node, String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + path))
        .header("authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Checks {@code condition} every 50 ms for at most 10 s. */
  static void eventually(String what, Callable<Boolean> condition) throws Exception {
    dev.ensemble.testing.Eventually.eventually(what, condition);
  }
}
