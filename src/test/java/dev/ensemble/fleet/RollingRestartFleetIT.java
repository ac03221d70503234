package dev.ensemble.fleet;

import dev.ensemble.balancer.ReadyBalancer;
import dev.ensemble.ratelimit.RedisServerExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.fleet.Fleet;
import dev.ensemble.testing.fleet.NodeProcess;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.s3.S3ProxyExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes (separate JVMs of the jar, one Hazelcast cluster) behind a real HTTP load balancer, with real Redis
 * (exact rate-limit counts) and a real S3-compatible server (S3Proxy) for responses. Under steady streaming load
 * each node is restarted in turn with SIGTERM: no client request fails, every response is readable from any node,
 * and the fleet-wide usage totals equal what the clients received. Then a node is killed mid-stream (a chat and a
 * Responses API stream) and restarted: both answers read back failed / interrupted from the other nodes, the Responses
 * one in its own format too. Last, a Responses API answer created on one node is read, listed, continued and deleted
 * through the others and the balancer, and one still being produced is a 409 with {@code Retry-After} elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingRestartFleetIT {

  private static final int NODES = 3;
  private static final int CLIENTS = 4;
  private static final Duration READY = Fleet.READY_TIMEOUT;

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension
  static RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension
  static S3ProxyExtension s3 = new S3ProxyExtension("fleet-responses");

  private static Vertx vertx;
  private static FleetClient client;
  private static Fleet fleet;
  private static ReadyBalancer lb;

  @BeforeAll
  static void startFleet() throws Exception {
    vertx = Vertx.vertx();
    client = new FleetClient(vertx);
    String yaml = """
        server: { host: 127.0.0.1, port: %%PORT%%, admin_key: %s, drain_timeout_ms: 30000, drain_grace_ms: 1500 }
        storage: { sqlite_path: %%DIR%%/data/ensemble.db }
        responses:
          store: s3
          s3: { bucket: %s, region: us-east-1, endpoint: "%s", prefix: responses/, path_style: true }
          journal: { fsync_interval_ms: 100 }
        redis: { address: "%s" }
        cluster: { enabled: true, config: "%%CLUSTER_XML%%" }
        providers:
          oai:
            type: openai
            base_url: %s
            timeout_ms: 120000
            idle_timeout_ms: 10000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: oai-1, rpm_limit: 100000, tpm_limit: 100000000 } ] } ]
        models:
          gpt-test:
            pricing: { input: 1.00, output: 2.00 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
        """.formatted(FleetClient.ADMIN_KEY, s3.bucket(), s3.endpoint(), redis.address(), fake.openAiBaseUrl(), GatewayExtension.OPENAI_KEY);
    fleet = Fleet.start(Path.of(GatewayExtension.scratchDir("fleet")), NODES, yaml,
        Map.of("AWS_ACCESS_KEY_ID", "AKIDTESTDUMMY0000000", "AWS_SECRET_ACCESS_KEY", "dummy-secret-for-s3proxy-tests-000000000",
            "AWS_REGION", "us-east-1"), READY);
    lb = await(ReadyBalancer.start(vertx, fleet.ports(), 100));
    awaitInRotation(NODES);
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
      await(client.close().compose(v -> vertx.close()));
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** Waits (on the first node's process, 50 ms at a time, at most 60 s) until the balancer has {@code n} nodes in rotation. */
  private static void awaitInRotation(int n) {
    for (int i = 0; i < 1200 && lb.ready().size() < n; i++) {
      fleet.node(0).awaitReadyStatusChange();
    }
    assertEquals(n, lb.ready().size(), "nodes in the balancer's rotation");
  }

  private static String words(int n, String tag) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(tag).append(i).append(' ');
    }
    return b.toString().trim();
  }

  /** One client: streams through the balancer until {@code stop}, recording every answer. */
  private static Future<Void> clientLoop(int c, AtomicBoolean stop, List<FleetClient.Streamed> answers) {
    if (stop.get()) {
      return Future.succeededFuture();
    }
    return client.stream(lb.port(), FleetClient.chat("gpt-test", "client " + c), null).compose(got -> {
      answers.add(got);
      return clientLoop(c, stop, answers);
    });
  }

  @Test
  @Order(1)
  void rollingRestartUnderStreamingLoadLosesNoRequestAndNoToken() throws Exception {
    for (int i = 0; i < 2_000; i++) {
      fake.enqueue(Reply.text(words(12, "t")).eventDelayMs(40));
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<FleetClient.Streamed> answers = new CopyOnWriteArrayList<>();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      loops.add(clientLoop(c, stop, answers));
    }
    List<Long> drainExit = new ArrayList<>();
    for (NodeProcess node : fleet.nodes()) {
      long before = answers.size();
      node.sigterm();
      assertEquals(0, node.awaitExit(Duration.ofSeconds(90)), node.logTail(40));
      drainExit.add((long) answers.size() - before);
      node.start().awaitReady(READY);
      awaitInRotation(NODES);
    }
    stop.set(true);
    await(Future.all(loops));

    List<FleetClient.Streamed> failed = answers.stream().filter(a -> !a.completeWithoutError()).toList();
    assertTrue(failed.isEmpty(), failed.size() + " of " + answers.size() + " requests failed, first: " + (failed.isEmpty() ? "" : failed.get(0)));
    assertTrue(answers.size() >= 3 * CLIENTS, "steady load: " + answers.size() + " answers, " + drainExit + " during each restart");

    long clientTokens = 0;
    for (int i = 0; i < answers.size(); i++) {
      FleetClient.Streamed a = answers.get(i);
      clientTokens += a.completionTokens();
      int port = fleet.node(i % NODES).port();
      JsonObject stored = await(client.getJson(port, "/api/v1/responses/" + a.requestId()));
      assertEquals("completed", stored.getString("status"), "response " + a.requestId() + " read from node " + (i % NODES) + ": " + stored.encode());
    }

    // /admin/usage answers for the whole fleet: one node's answer sums every node's ledger
    JsonObject usage = await(client.getJson(fleet.node(0).port(), "/admin/usage?from=2000-01-01T00:00:00Z"));
    assertEquals(new JsonArray(), usage.getJsonArray("missing_nodes"), usage.encode());
    long ledgerOutput = 0;
    long ledgerRequests = 0;
    JsonArray rows = usage.getJsonArray("rows", new JsonArray());
    for (int r = 0; r < rows.size(); r++) {
      ledgerOutput += rows.getJsonObject(r).getLong("output", 0L);
      ledgerRequests += rows.getJsonObject(r).getLong("requests", 0L);
    }
    System.out.printf("rolling restart: %d streamed answers (%s during each node's drain and restart), %d output tokens, 0 failed%n",
        answers.size(), drainExit, clientTokens);
    assertEquals(answers.size(), ledgerRequests, "one ledger row per request, fleet-wide");
    assertEquals(clientTokens, ledgerOutput, "output tokens in the ledgers = those the clients were told");
  }

  @Test
  @Order(2)
  void nodeKilledMidStreamRecoversItsAnswersAsInterruptedReadableFromAnyNode() throws Exception {
    NodeProcess victim = fleet.node(1);
    fake.server().enqueue(Reply.text(words(400, "r")).eventDelayMs(50), Reply.text(words(400, "k")).eventDelayMs(50));
    // a Responses API stream first (it takes the first reply), then a chat stream, both on the victim
    Promise<Void> responsesArrived = Promise.promise();
    StringBuilder responsesSeen = new StringBuilder();
    Future<FleetClient.Streamed> responsesStreamed = client.stream(victim.port(), "/v1/responses",
        new JsonObject().put("model", "gpt-test").put("stream", true).put("input", "long"), chunk -> {
          responsesSeen.append(chunk.toString());
          if (responsesSeen.toString().contains("r5")) {
            responsesArrived.tryComplete();
          }
        });
    await(responsesArrived.future());
    Promise<Void> arrived = Promise.promise();
    StringBuilder seen = new StringBuilder();
    Future<FleetClient.Streamed> streamed = client.stream(victim.port(), FleetClient.chat("gpt-test", "long"), chunk -> {
      seen.append(chunk.toString());
      if (seen.toString().contains("k30")) {
        arrived.tryComplete();
      }
    });
    await(arrived.future());
    victim.kill();
    FleetClient.Streamed got = await(streamed);
    FleetClient.Streamed gotResponses = await(responsesStreamed);
    String responseId = gotResponses.requestId();
    victim.awaitExit(Duration.ofSeconds(30));
    // While the node that ran it is down no other node has it: the client is told it does not exist (yet). Asked of the
    // survivors directly: the balancer may not have seen the kill yet (its probe runs every 100 ms).
    for (int survivor : new int[] {0, 2}) {
      assertEquals(404, http(fleet.node(survivor).baseUrl(), "GET", "/v1/responses/" + responseId).statusCode(),
          "node " + survivor + " with the response's node down");
    }

    victim.start().awaitReady(READY);
    awaitInRotation(NODES);
    JsonObject stored = await(client.getJson(fleet.node(2).port(), "/api/v1/responses/" + got.requestId()));
    assertEquals("failed", stored.getString("status"), stored.encode());
    assertEquals("interrupted", stored.getString("reason"), stored.encode());
    assertEquals("interrupted", stored.getJsonObject("error").getString("reason"), stored.encode());
    // The journal reaches the disk every fsync_interval_ms (100 ms here) from its writer thread, so the last events the
    // client saw before the kill may be missing; everything up to 15 events (750 ms) before it must be there, and
    // nothing the client did not see.
    String kept = stored.getString("text");
    assertTrue(kept.startsWith("k0 k1") && kept.contains("k15"), stored.encode());
    String lastKept = kept.trim().substring(kept.trim().lastIndexOf(' ') + 1);
    assertTrue(seen.toString().contains(lastKept), "kept " + lastKept + ", which the client never saw: " + stored.encode());
    JsonObject usage = await(client.getJson(victim.port(), "/admin/usage?from=2000-01-01T00:00:00Z&group_by=model"));
    assertTrue(usage.getJsonArray("rows").getJsonObject(0).getLong("requests") >= 1, usage.encode());

    // The Responses API answer, in the client's own format, from another node and through the balancer: a failed
    // response object with the text streamed before the kill, which cannot be continued.
    for (String base : List.of(fleet.node(0).baseUrl(), lb.baseUrl())) {
      java.net.http.HttpResponse<String> read = http(base, "GET", "/v1/responses/" + responseId);
      assertEquals(200, read.statusCode(), base + ": " + read.body());
      JsonObject body = new JsonObject(read.body());
      assertEquals(responseId, body.getString("id"), body.encode());
      assertEquals("failed", body.getString("status"), body.encode());
      assertTrue(body.getJsonObject("error") != null, body.encode());
      String text = body.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text");
      assertTrue(text.startsWith("r0 r1 r2"), body.encode());
      String last = text.trim().substring(text.trim().lastIndexOf(' ') + 1);
      assertTrue(responsesSeen.toString().contains(last + " ") || responsesSeen.toString().contains(last + "\""),
          "kept " + last + ", which the client never saw: " + body.encode());
    }
    JsonObject summary = await(client.getJson(fleet.node(0).port(), "/api/v1/responses/" + responseId));
    assertEquals("interrupted", summary.getString("reason"), summary.encode());
    java.net.http.HttpResponse<String> continued = http(lb.baseUrl(), "POST", "/v1/responses",
        new JsonObject().put("model", "gpt-test").put("input", "go on").put("previous_response_id", responseId));
    assertEquals(400, continued.statusCode(), continued.body());
    assertTrue(continued.body().contains("did not complete"), continued.body());
  }

  @Test
  @Order(3)
  void aResponsesApiAnswerCreatedOnOneNodeIsReadContinuedAndDeletedThroughAnotherAndTheBalancer() throws Exception {
    fake.enqueue(Reply.text("The capital is Paris."), Reply.text("About two million."));
    java.net.http.HttpResponse<String> created = http(fleet.node(0).baseUrl(), "POST", "/v1/responses",
        new JsonObject().put("model", "gpt-test").put("input", "Capital of France?"));
    assertEquals(200, created.statusCode(), created.body());
    String id = new JsonObject(created.body()).getString("id");

    for (String base : List.of(fleet.node(1).baseUrl(), lb.baseUrl())) {
      java.net.http.HttpResponse<String> read = http(base, "GET", "/v1/responses/" + id);
      assertEquals(200, read.statusCode(), base + ": " + read.body());
      assertEquals("The capital is Paris.", new JsonObject(read.body()).getJsonArray("output").getJsonObject(0).getJsonArray("content")
          .getJsonObject(0).getString("text"), read.body());
    }
    java.net.http.HttpResponse<String> items = http(fleet.node(2).baseUrl(), "GET", "/v1/responses/" + id + "/input_items");
    assertEquals(200, items.statusCode(), items.body());
    assertTrue(items.body().contains("Capital of France?"), items.body());
    JsonObject summary = await(client.getJson(fleet.node(1).port(), "/api/v1/responses/" + id));
    assertEquals("completed", summary.getString("status"), summary.encode());
    assertEquals("The capital is Paris.", summary.getString("text"), summary.encode());
    java.net.http.HttpResponse<String> events = http(fleet.node(2).baseUrl(), "GET", "/api/v1/responses/" + id + "/events");
    assertEquals(200, events.statusCode(), events.body());
    assertTrue(events.body().contains("response.end") && events.body().contains("Paris"), events.body());

    java.net.http.HttpResponse<String> next = http(lb.baseUrl(), "POST", "/v1/responses",
        new JsonObject().put("model", "gpt-test").put("input", "Its population?").put("previous_response_id", id));
    assertEquals(200, next.statusCode(), next.body());
    assertTrue(fake.lastRequest().json().encode().contains("The capital is Paris."), "the history went upstream: " + fake.lastRequest().json());

    // A response still being produced on node 0 is a 409 with Retry-After on the others, until it is stored.
    fake.enqueue(Reply.text(words(40, "c")).eventDelayMs(100));
    Promise<String> started = Promise.promise();
    StringBuilder received = new StringBuilder();
    Future<FleetClient.Streamed> streaming = client.stream(fleet.node(0).port(), "/v1/responses",
        new JsonObject().put("model", "gpt-test").put("stream", true).put("input", "Count"), chunk -> {
          received.append(chunk.toString());
          java.util.regex.Matcher first = java.util.regex.Pattern.compile("\"response\":\\{\"id\":\"([^\"]+)\"").matcher(received);
          if (first.find()) {
            started.tryComplete(first.group(1));
          }
        });
    String liveId = await(started.future());
    for (String[] call : new String[][] {{"GET", "/v1/responses/" + liveId}, {"GET", "/v1/responses/" + liveId + "/input_items"},
        {"DELETE", "/v1/responses/" + liveId}}) {
      java.net.http.HttpResponse<String> during = http(fleet.node(1).baseUrl(), call[0], call[1]);
      assertEquals(409, during.statusCode(), call[0] + " " + call[1] + " while node 0 produces it: " + during.body());
      assertTrue(during.headers().firstValue("retry-after").isPresent(), call[0] + " " + call[1]);
    }
    assertEquals("in_progress", await(client.getJson(fleet.node(2).port(), "/api/v1/responses/" + liveId)).getString("status"));
    FleetClient.Streamed whole = await(streaming);
    assertEquals(liveId, whole.requestId());
    assertTrue(whole.body().contains("response.completed"), whole.body());
    FleetIT.eventually("node 1 reads it once node 0 stored it", () -> http(fleet.node(1).baseUrl(), "GET", "/v1/responses/" + liveId)
        .statusCode() == 200);

    java.net.http.HttpResponse<String> deleted = http(lb.baseUrl(), "DELETE", "/v1/responses/" + id);
    assertEquals(200, deleted.statusCode(), deleted.body());
    for (int node = 0; node < NODES; node++) {
      assertEquals(404, http(fleet.node(node).baseUrl(), "GET", "/v1/responses/" + id).statusCode(), "node " + node + " after the delete");
    }
  }

  // --- helpers

  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static java.net.http.HttpResponse<String> http(String base, String method, String path) throws Exception {
    return http(base, method, path, null);
  }

  private static java.net.http.HttpResponse<String> http(String base, String method, String path, JsonObject body) throws Exception {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
        .timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("content-type", "application/json").method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      request.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
    }
    return HTTP.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }
}
