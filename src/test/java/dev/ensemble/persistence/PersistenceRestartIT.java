package dev.ensemble.persistence;

import dev.ensemble.node.Gateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A node stopped and started again on the same SQLite file: the schema is kept, the ledger too, spills are replayed. */
class PersistenceRestartIT {

  private static final String ADMIN_KEY = "admin-restart-0123456789";

  private final NodeDataDir data = new NodeDataDir("restart", ADMIN_KEY);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path db = data.db();

  @AfterEach
  void close() throws Exception {
    data.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return NodeDataDir.await(f);
  }

  private Gateway start() throws Exception {
    return data.start();
  }

  /** One chat answer; its request id (also its response's and ledger row's). */
  private String chat(Gateway node) throws Exception {
    String body = new JsonObject().put("model", "mock-1")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v1/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("X-Ensemble-Request-Id").orElseThrow();
  }

  private long requests(Gateway node) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/admin/usage?from=2000-01-01"))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("rows").getJsonObject(0).getLong("requests");
  }

  private List<String> schemaVersions() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         ResultSet rs = c.createStatement().executeQuery("SELECT version || ' ' || name || ' ' || applied_at FROM schema_version")) {
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Test
  void restartKeepsSchemaAndLedgerAndRunsNoMigrationTwice() throws Exception {
    Gateway first = start();
    chat(first);
    chat(first);
    await(first.stop());
    List<String> versions = schemaVersions();

    Gateway second = start();
    chat(second);
    long total = requests(second);
    await(second.stop());

    assertEquals(dev.ensemble.persistence.sqlite.Migrations.bundled().latestVersion(), versions.size(), versions.toString());
    assertEquals(versions, schemaVersions(), "the second start applied nothing");
    assertEquals(3, total, "rows written before the restart are still there");
  }

  /** What a node killed after storing a response but before its ledger batch was committed leaves behind. */
  private void crashedBetweenStoreAndLedger(LedgerEntry row) throws Exception {
    InflightJournal crashed = new InflightJournal(db.resolveSibling("journal"), 1000, 1 << 20);
    crashed.open();
    crashed.started(row.requestId(), row.clientId(), "openai", row.model(), row.finishedAtMillis() / 1000, false);
    crashed.event(row.requestId(), new JsonObject().put("type", "response.start").put("id", row.requestId()).put("seq", 0));
    crashed.ended(row.requestId(), row);
    crashed.close();
  }

  /**
   * What a node killed after the commit of an answer's index and ledger rows, but before the answer's end reached the
   * crash journal, leaves there: its start, route and events only (the journal writes the {@code l} of an answer not
   * yet ended at its round's end, and none when the answer's {@code x} comes in the same round; the kill took both).
   */
  private void crashedAfterTheCommitBeforeTheEnd(String id) throws Exception {
    InflightJournal crashed = new InflightJournal(db.resolveSibling("journal"), 1000, 1 << 20);
    crashed.open();
    crashed.started(id, null, "openai", "mock-1", System.currentTimeMillis() / 1000, false);
    crashed.routed(id, new JournalRoute("mock", "mock-1", "mock-1", 1, "least_used", 3, InflightJournalTest.PRICING));
    crashed.event(id, 0, new dev.ensemble.model.StreamEvent.ResponseStart(id, "mock-1", "mock", "mock-1", null));
    crashed.event(id, 1, dev.ensemble.model.StreamEvent.BlockStart.text(0));
    crashed.event(id, 2, dev.ensemble.model.StreamEvent.BlockDelta.text(0, "partial"));
    crashed.close();
  }

  @Test
  void answerStoredAndBilledWhoseEndNeverReachedTheJournalIsNeitherBilledTwiceNorReplacedAtRestart() throws Exception {
    Gateway first = start();
    String id = chat(first);
    await(first.stop());
    crashedAfterTheCommitBeforeTheEnd(id);

    Gateway restarted = start();
    long requests = requests(restarted);
    HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restarted.port() + "/api/v1/responses/" + id))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    await(restarted.stop());

    assertEquals(1, requests, "the committed row, not a second one made from the journal");
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("completed", new JsonObject(read.body()).getString("status"), "the stored answer, not an interrupted one: " + read.body());
  }

  @Test
  void ledgerRowOfAResponseStoredJustBeforeACrashIsWrittenOnceAtRestart() throws Exception {
    Files.createDirectories(db.getParent());
    LedgerEntry row = LedgerWriterTest.row(5);
    crashedBetweenStoreAndLedger(row);

    Gateway restarted = start();
    long afterRecovery = requests(restarted);
    await(restarted.stop());
    // the row is committed now; a crash before the journal heard of it leaves the same journal behind
    crashedBetweenStoreAndLedger(row);
    Gateway again = start();
    long afterSecondRecovery = requests(again);
    await(again.stop());

    assertEquals(1, afterRecovery, "the row the provider billed is in the ledger");
    assertEquals(1, afterSecondRecovery, "a row the ledger already has is not written twice");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         ResultSet rs = c.createStatement().executeQuery("SELECT status, output_tokens FROM usage_ledger WHERE request_id = 'req-5'")) {
      rs.next();
      assertEquals(200, rs.getInt(1));
      assertEquals(200, rs.getInt(2), "the row as the node sent it");
    }
  }

  @Test
  void rowsSpilledBeforeAStopAreReplayedAtTheNextStart() throws Exception {
    Files.createDirectories(db.getParent());
    new SpillFile(db.resolveSibling(PersistenceVerticle.SPILL_FILE)).append(List.of(LedgerWriterTest.row(1), LedgerWriterTest.row(2)));

    Gateway node = start();
    long total = requests(node);
    await(node.stop());

    assertEquals(2, total);
    assertFalse(Files.exists(db.resolveSibling(PersistenceVerticle.SPILL_FILE)));
  }
}
