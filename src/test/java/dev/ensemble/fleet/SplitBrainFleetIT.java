package dev.ensemble.fleet;

import com.hazelcast.core.HazelcastInstance;
import dev.ensemble.testing.cluster.ClusterNodes;
import dev.ensemble.testing.cluster.NetworkSplit;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three gateway nodes, real Hazelcast members of one cluster, and a real network split: the cluster traffic between
 * node 2 and the other two is blocked while all three keep running ({@link NetworkSplit}), both sides take admin
 * changes, then the traffic flows again and Hazelcast heals the split itself, merging node 2's side into the
 * majority. Every node must then hold both sides' changes, and where both sides changed one entry, the same winner:
 * the higher version (the later change), whichever side made it.
 */
class SplitBrainFleetIT {

  private static final String ADMIN_KEY = "admin-split-brain-test-key";
  private static final String[] DIRS = {GatewayExtension.scratchDir("split-0"), GatewayExtension.scratchDir("split-1"),
      GatewayExtension.scratchDir("split-2")};
  private static final int CUT_OFF = 2;

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static ClusterNodes fleet;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  static String yaml(int node) {
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s, require_client_keys: true }
        storage: { sqlite_path: %s/ensemble.db, encryption_key: "%s" }
        responses: { local_dir: %s/responses }
        cluster: { enabled: true }
        providers:
          oai: { type: openai, base_url: %s, keys: [] }
        models:
          gpt:
            pricing: { input: 3.00, output: 15.00 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
        """.formatted(ADMIN_KEY, DIRS[node], ENCRYPTION_KEY, DIRS[node], fake.openAiBaseUrl());
  }

  private static final String ENCRYPTION_KEY = FleetIT.randomEncryptionKey();

  @BeforeAll
  static void startThreeNodes() throws Exception {
    fleet = ClusterNodes.startFirewalled(3, SplitBrainFleetIT::yaml);
  }

  @AfterAll
  static void stopNodes() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void aNodeWhoseClusterTrafficWasBlockedConvergesWithTheFleetWhenItFlowsAgain() throws Exception {
    fake.server().acceptAnyKey();
    addKey(0, "contested", "sk-split-contested-0001");
    addKey(0, "benched", "sk-split-benched-0002");
    JsonObject doomed = createClient(0, "deleted-by-the-cut-off-node");
    for (int node = 0; node < 3; node++) {
      assertEquals(200, chat(node, doomed.getString("key")).statusCode(), "node " + node + " before the split");
    }

    for (int node = 0; node < 3; node++) {
      if (node != CUT_OFF) {
        NetworkSplit.cut(fleet.hazelcast(node), fleet.hazelcast(CUT_OFF));
      }
    }
    eventually(30, () -> members(0) == 2 && members(1) == 2 && members(CUT_OFF) == 1 ? null
        : "the majority sees 2 members, the cut-off node 1: " + members(0) + ", " + members(1) + ", " + members(CUT_OFF));

    // The majority's side.
    assertEquals(200, admin(0, "POST", "/admin/keys/" + keyId(0, "benched") + "/disable", null).statusCode());
    assertEquals(200, admin(1, "POST", "/admin/keys/" + keyId(1, "contested") + "/disable", null).statusCode());
    JsonObject madeByMajority = createClient(1, "made-by-the-majority");
    // The cut-off node's side, later: its changes to "contested" are the newer ones.
    JsonObject madeAlone = createClient(CUT_OFF, "made-while-cut-off");
    assertEquals(200, admin(CUT_OFF, "POST", "/admin/keys/" + keyId(CUT_OFF, "contested") + "/disable", null).statusCode());
    assertEquals(200, admin(CUT_OFF, "POST", "/admin/keys/" + keyId(CUT_OFF, "contested") + "/enable", null).statusCode());
    assertEquals(200, admin(CUT_OFF, "DELETE", "/admin/clients/" + doomed.getString("id"), null).statusCode());

    assertEquals(401, chat(CUT_OFF, madeByMajority.getString("key")).statusCode(), "split: the cut-off node does not know the majority's client");
    assertEquals(401, chat(0, madeAlone.getString("key")).statusCode(), "split: the majority does not know the cut-off node's client");
    assertTrue(keyState(0, "contested").getBoolean("disabled"), "split: the majority holds its own change");
    assertFalse(keyState(CUT_OFF, "benched").getBoolean("disabled"), "split: the cut-off node did not see the majority's change");

    for (int node = 0; node < 3; node++) {
      if (node != CUT_OFF) {
        NetworkSplit.restore(fleet.hazelcast(node), fleet.hazelcast(CUT_OFF));
      }
    }
    eventually(60, () -> members(0) == 3 && members(1) == 3 && members(CUT_OFF) == 3 ? null
        : "every member sees 3 members again: " + members(0) + ", " + members(1) + ", " + members(CUT_OFF));

    for (int node = 0; node < 3; node++) {
      int n = node;
      eventually(30, () -> {
        String seen = "cut-off node's client " + chat(n, madeAlone.getString("key")).statusCode()
            + ", majority's client " + chat(n, madeByMajority.getString("key")).statusCode()
            + ", deleted client " + chat(n, doomed.getString("key")).statusCode()
            + ", contested disabled " + keyState(n, "contested").getBoolean("disabled")
            + ", benched disabled " + keyState(n, "benched").getBoolean("disabled");
        String expected = "cut-off node's client 200, majority's client 200, deleted client 401, contested disabled false, benched disabled true";
        return seen.equals(expected) ? null : "node " + n + " holds both sides' changes: expected " + expected + ", got " + seen;
      });
      HttpResponse<String> served = chat(node, madeAlone.getString("key"));
      assertEquals("oai-contested", served.headers().firstValue("x-ensemble-endpoint").orElseThrow(),
          "node " + node + " routes to the re-enabled key only: " + served.body());
    }
    assertEquals(clientIds(0), clientIds(1));
    assertEquals(clientIds(0), clientIds(CUT_OFF));
  }

  // --- helpers

  private static int members(int node) {
    HazelcastInstance member = fleet.hazelcast(node);
    return member.getLifecycleService().isRunning() ? member.getCluster().getMembers().size() : 0;
  }

  private void addKey(int node, String name, String apiKey) throws Exception {
    HttpResponse<String> added = admin(node, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", name).put("api_key", apiKey));
    assertEquals(201, added.statusCode(), added.body());
    assertEquals(new JsonArray(), new JsonObject(added.body()).getJsonArray("pending_nodes"), "every member confirmed before the answer");
  }

  private JsonObject keyState(int node, String name) throws Exception {
    for (Object k : new JsonObject(admin(node, "GET", "/admin/keys", null).body()).getJsonArray("data")) {
      JsonObject key = (JsonObject) k;
      if ("oai".equals(key.getString("provider")) && name.equals(key.getString("name"))) {
        return key;
      }
    }
    throw new AssertionError("node " + node + " lists no key oai/" + name);
  }

  private String keyId(int node, String name) throws Exception {
    return keyState(node, name).getString("id");
  }

  private JsonObject createClient(int node, String name) throws Exception {
    HttpResponse<String> created = admin(node, "POST", "/admin/clients", new JsonObject().put("name", name));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body());
  }

  private String clientIds(int node) throws Exception {
    JsonArray clients = new JsonObject(admin(node, "GET", "/admin/clients", null).body()).getJsonArray("clients");
    return clients.stream().map(c -> ((JsonObject) c).getString("id")).sorted().toList().toString();
  }

  private HttpResponse<String> chat(int node, String key) throws Exception {
    JsonObject body = new JsonObject().put("model", "gpt")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello across a split")));
    return http.send(HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
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

  /** Checks every 100 ms for at most {@code seconds} until {@code divergence} answers null (else what is still off). */
  private static void eventually(int seconds, Callable<String> divergence) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String off;
    while ((off = divergence.call()) != null) {
      if (System.nanoTime() > deadline) {
        fail("not within " + seconds + " s: " + off);
      }
      CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).get();
    }
  }
}
