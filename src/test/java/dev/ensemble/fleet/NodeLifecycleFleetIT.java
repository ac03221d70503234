package dev.ensemble.fleet;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.fleet.Fleet;
import dev.ensemble.testing.fleet.NodeProcess;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One node as a real process of the jar: SIGTERM drains it and it exits 0 (a stream still running at the deadline
 * ends with an error event and is persisted failed); a second SIGTERM stops it at once; kill -9 mid-stream, and
 * after the restart on the same data the answer reads back failed/interrupted with its partial text and a ledger row.
 */
class NodeLifecycleFleetIT {

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private final Vertx vertx = Vertx.vertx();
  private final FleetClient client = new FleetClient(vertx);
  private NodeProcess node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    await(client.close().compose(v -> vertx.close()));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }

  private NodeProcess node(long drainTimeoutMs) {
    String yaml = """
        server: { host: 127.0.0.1, port: %%PORT%%, admin_key: %s, drain_timeout_ms: %d, drain_grace_ms: 200 }
        storage: { sqlite_path: %%DIR%%/data/ensemble.db }
        responses: { store: local, local_dir: %%DIR%%/data/responses, journal: { fsync_interval_ms: 100 } }
        providers:
          oai:
            type: openai
            base_url: %s
            timeout_ms: 120000
            idle_timeout_ms: 10000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 1.00, output: 2.00 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
        """.formatted(FleetClient.ADMIN_KEY, drainTimeoutMs, fake.openAiBaseUrl(), GatewayExtension.OPENAI_KEY);
    node = new NodeProcess("solo", Path.of(GatewayExtension.scratchDir("solo")), yaml, Map.of(), List.of());
    return node.start().awaitReady(Fleet.READY_TIMEOUT);
  }

  private static String words(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("w").append(i).append(' ');
    }
    return b.toString().trim();
  }

  /** Starts a long stream and returns once {@code chunks} chunks arrived. */
  private Future<FleetClient.Streamed> longStream(int port, int chunks, Promise<Void> arrived) {
    AtomicInteger seen = new AtomicInteger();
    return client.stream(port, FleetClient.chat("gpt-test", "talk"), c -> {
      if (seen.incrementAndGet() >= chunks) {
        arrived.tryComplete();
      }
    });
  }

  @Test
  void sigtermEndsAStreamStillRunningAtTheDeadlineWithAnErrorEventAndExitsZero() throws Exception {
    NodeProcess n = node(1_500);
    fake.enqueue(Reply.text(words(400)).eventDelayMs(50));
    Promise<Void> arrived = Promise.promise();
    Future<FleetClient.Streamed> streamed = longStream(n.port(), 5, arrived);
    await(arrived.future());

    n.sigterm();
    FleetClient.Streamed got = await(streamed);
    assertTrue(got.body().contains("data: {\"error\""), "the stream ends with an OpenAI error chunk: " + got.body());
    assertEquals(0, n.awaitExit(Duration.ofSeconds(60)), n.logTail(30));
    assertTrue(java.nio.file.Files.readString(n.log()).contains("drained in"), n.logTail(30));

    n.start().awaitReady(Fleet.READY_TIMEOUT);
    JsonObject stored = await(client.getJson(n.port(), "/api/v1/responses/" + got.requestId()));
    assertEquals("failed", stored.getString("status"), stored.encode());
    assertTrue(stored.getString("text").startsWith("w0 w1"), stored.encode());
  }

  @Test
  void secondSigtermStopsTheNodeAtOnce() throws Exception {
    NodeProcess n = node(120_000);
    fake.enqueue(Reply.text(words(2000)).eventDelayMs(50));
    Promise<Void> arrived = Promise.promise();
    longStream(n.port(), 3, arrived);
    await(arrived.future());

    n.sigterm();
    for (int i = 0; i < 100 && n.readyStatus() == 200; i++) {
      n.awaitReadyStatusChange();
    }
    assertEquals(503, n.readyStatus(), "draining");
    n.sigterm();
    assertEquals(143, n.awaitExit(Duration.ofSeconds(20)), n.logTail(30));
  }

  @Test
  void killedMidStreamTheAnswerReadsBackInterruptedWithItsPartialTextAndALedgerRow() throws Exception {
    NodeProcess n = node(30_000);
    fake.enqueue(Reply.text(words(400)).eventDelayMs(50));
    Promise<Void> arrived = Promise.promise();
    StringBuilder text = new StringBuilder();
    Future<FleetClient.Streamed> streamed = client.stream(n.port(), FleetClient.chat("gpt-test", "talk"), c -> {
      text.append(c.toString());
      if (text.toString().contains("w40")) {
        arrived.tryComplete();
      }
    });
    await(arrived.future());

    n.kill();
    FleetClient.Streamed got = await(streamed);
    assertNotNull(got.requestId());
    assertFalse(got.body().contains("[DONE]"));
    assertEquals(137, n.awaitExit(Duration.ofSeconds(20)));

    n.start().awaitReady(Fleet.READY_TIMEOUT);
    JsonObject stored = await(client.getJson(n.port(), "/api/v1/responses/" + got.requestId()));
    assertEquals("failed", stored.getString("status"), stored.encode());
    assertEquals("interrupted", stored.getString("reason"), stored.encode());
    assertEquals("interrupted", stored.getJsonObject("error").getString("reason"), stored.encode());
    // The journal reaches the disk every fsync_interval_ms (100 ms here) from its writer thread, so the last events the
    // client saw before the kill may be missing; everything up to 20 events (1 s) before it must be there, and
    // nothing the client did not see.
    String kept = stored.getString("text");
    assertTrue(kept.startsWith("w0 w1 w2") && kept.contains("w20"), stored.encode());
    String lastKept = kept.trim().substring(kept.trim().lastIndexOf(' ') + 1);
    assertTrue(text.toString().contains(lastKept), "kept " + lastKept + ", which the client never saw: " + stored.encode());
    assertTrue(stored.getJsonObject("usage").getLong("output") > 0, stored.encode());
    assertTrue(java.nio.file.Files.readString(n.log()).contains("responses interrupted"), n.logTail(30));

    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + n.dir().resolve("data/ensemble.db"));
         PreparedStatement q = db.prepareStatement("SELECT output_tokens, route_reason FROM usage_ledger WHERE request_id = ?")) {
      q.setString(1, got.requestId());
      try (ResultSet rs = q.executeQuery()) {
        assertTrue(rs.next(), "a ledger row for the interrupted answer");
        assertTrue(rs.getLong(1) > 0);
        assertTrue(rs.getString(2).contains("interrupted: output tokens counted from"), rs.getString(2));
      }
    }
  }
}
