package dev.ensemble.persistence.sqlite;

import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationsTest {

  private final Vertx vertx = Vertx.vertx();
  private final Path file = Path.of(GatewayExtension.scratchDir("migrations"), "nested", "dir", "ensemble.db");

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void createsTheFileAndItsFoldersInWalModeAndAppliesEveryMigrationOnce() throws Exception {
    Database db = Database.open(vertx, file);
    List<Migrations.Migration> first = await(Migrations.bundled().apply(db.pool()));
    List<Migrations.Migration> second = await(Migrations.bundled().apply(db.pool()));

    assertTrue(Files.exists(file));
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), first.stream().map(Migrations.Migration::version).toList());
    assertEquals(List.of(), second, "nothing is due the second time");
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), await(Migrations.applied(db.pool())));
    assertEquals("wal", await(db.journalMode()));
    await(db.close());

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertEquals("wal", scalar(c, "PRAGMA journal_mode"), "WAL is a property of the file, not only of the pool");
      assertEquals(List.of("responses", "schema_version", "shared_entries", "usage_ledger"),
          column(c, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
      assertEquals(List.of("usage_ledger_finished_at"),
          column(c, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_ledger' AND sql IS NOT NULL ORDER BY name"),
          "each ledger row is inserted into every index: only the time range's, which the queries use");
      // a row is inserted into every B-tree of its table: the ledger's is clustered on the request id (WITHOUT ROWID)
      // beside the time range's index, the response index's on the id alone
      assertEquals("2", scalar(c, "SELECT COUNT(DISTINCT rootpage) FROM sqlite_master WHERE tbl_name = 'usage_ledger'"));
      assertEquals("1", scalar(c, "SELECT COUNT(DISTINCT rootpage) FROM sqlite_master WHERE tbl_name = 'responses'"));
    }
  }

  @Test
  void aFailedMigrationLeavesNoTraceAndIsRetriedNextTime() throws Exception {
    Database db = Database.open(vertx, file);
    await(Migrations.bundled().apply(db.pool()));
    Migrations broken = new Migrations(List.of(
        new Migrations.Migration(1, "V1__init.sql", List.of("SELECT 1")),
        new Migrations.Migration(2, "V2__ledger_images.sql", List.of("SELECT 1")),
        new Migrations.Migration(3, "V3__shared_entries.sql", List.of("SELECT 1")),
        new Migrations.Migration(4, "V4__ledger_response_cache.sql", List.of("SELECT 1")),
        new Migrations.Migration(5, "V5__ledger_reasoning_tokens.sql", List.of("SELECT 1")),
        new Migrations.Migration(6, "V6__ledger_indexes_no_query_uses.sql", List.of("SELECT 1")),
        new Migrations.Migration(7, "V7__ledger_and_index_without_rowid.sql", List.of("SELECT 1")),
        new Migrations.Migration(8, "V8__broken.sql", List.of("CREATE TABLE extra (id INTEGER)", "INSERT INTO no_such_table VALUES (1)"))));

    Throwable failure = broken.apply(db.pool()).toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get(20, TimeUnit.SECONDS);

    assertTrue(failure != null, "the broken migration fails");
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), await(Migrations.applied(db.pool())));
    assertEquals(0L, ((Number) await(db.pool().query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'").execute())
        .iterator().next().getValue(0)).longValue(), "the table of the failed migration was rolled back");
    await(db.close());
  }

  @Test
  void clientsAndProviderKeysOfAnOlderFileBecomeSharedEntries() throws Exception {
    Database db = Database.open(vertx, file);
    Migrations bundled = Migrations.bundled();
    await(new Migrations(bundled.migrations().subList(0, 2)).apply(db.pool()));
    await(db.pool().query("INSERT INTO clients (id, name, key_hash, monthly_budget_usd, rpm_limit, on_disconnect, created_at)"
        + " VALUES ('cli_old', 'old client', 'ab12', '25', 60, 'cancel', 1767225600123)").execute());
    await(db.pool().query("INSERT INTO provider_keys (id, provider, name, api_key_ciphertext, weight, endpoints_json, created_at)"
        + " VALUES ('pk_old', 'oai', 'main', 'v1:iv:sealed', 0.5, '[{\"id\":\"oai-main\"}]', 1767225600000)").execute());

    await(bundled.apply(db.pool()));

    List<dev.ensemble.model.SharedEntry> entries = await(new SqliteSharedEntries(db.pool()).all());
    await(db.close());
    assertEquals(2, entries.size(), entries.toString());
    dev.ensemble.model.SharedEntry key = entries.stream().filter(e -> e.kind().equals("key")).findFirst().orElseThrow();
    assertEquals("oai/main", key.id());
    assertEquals(1767225600000L, key.version());
    dev.ensemble.keys.StoredKey stored = dev.ensemble.keys.StoredKey.fromJson(key.body());
    assertEquals("v1:iv:sealed", stored.ciphertext());
    assertEquals(0.5, stored.weight());
    assertEquals("[{\"id\":\"oai-main\"}]", stored.endpointsJson());
    dev.ensemble.model.SharedEntry client = entries.stream().filter(e -> e.kind().equals("client")).findFirst().orElseThrow();
    dev.ensemble.clients.Client c = dev.ensemble.clients.Client.fromJson(client.body());
    assertEquals(new dev.ensemble.clients.Client("cli_old", "old client", "ab12", new java.math.BigDecimal("25"), 60,
        dev.ensemble.clients.OnDisconnect.CANCEL, 1767225600123L), c);
  }

  @Test
  void aFileOfVersion6KeepsEveryLedgerAndResponseIndexRowThroughTheRebuildWithoutRowids() throws Exception {
    Database db = Database.open(vertx, file);
    Migrations bundled = Migrations.bundled();
    await(new Migrations(bundled.migrations().subList(0, 6)).apply(db.pool()));
    for (int i = 0; i < 300; i++) {
      String id = dev.ensemble.persistence.ResponseKeys.timePrefix(1_767_225_600_000L + i * 60_000L) + "abcdefghjkmnpqrs";
      await(db.pool().query("INSERT INTO usage_ledger (request_id, client_id, provider, endpoint, model, input_tokens, output_tokens,"
          + " cost_e10_usd, latency_ms, status, attempts, stream, finished_at, cache_status, saved_e10_usd, reasoning_tokens) VALUES ('"
          + id + "', 'cli_" + (i % 3) + "', 'oai', 'oai-1', 'gpt-4o-mini', " + i + ", 2, " + (i * 1_000_003L) + ", 12, 200, 1, 0, "
          + (1_767_225_600_000L + i * 60_000L) + ", " + (i % 10 == 0 ? "'HIT', 77" : "NULL, NULL") + ", 1)").execute());
      await(db.pool().query("INSERT INTO responses (id, status, client_id, model, provider, created_at, completed_at, store_key)"
          + " VALUES ('" + id + "', 'completed', 'cli_1', 'gpt-4o-mini', 'oai', " + (1_767_225_600_000L + i * 60_000L) + ", NULL, 'k" + i
          + "')").execute());
    }
    dev.ensemble.persistence.UsageQuery all = new dev.ensemble.persistence.UsageQuery(java.time.Instant.EPOCH,
        java.time.Instant.parse("2100-01-01T00:00:00Z"), List.of(dev.ensemble.persistence.UsageGroup.CLIENT));
    io.vertx.core.json.JsonObject before = await(new SqliteUsage(db.pool()).query(all));

    assertEquals(List.of(7), await(bundled.apply(db.pool())).stream().map(Migrations.Migration::version).toList());

    assertEquals(before, await(new SqliteUsage(db.pool()).query(all)), "the usage report sums the same rows");
    assertEquals(3, before.getJsonArray("rows").size());
    try (SqliteWriter writer = SqliteWriter.open(db)) {
      SqliteResponseIndex index = new SqliteResponseIndex(db.pool(), writer);
      String first = dev.ensemble.persistence.ResponseKeys.timePrefix(1_767_225_600_000L) + "abcdefghjkmnpqrs";
      assertEquals("k0", await(index.find(first)).orElseThrow().storeKey());
      // a replayed ledger row is still ignored: the request id is still the key
      new SqliteLedger(writer).insert(List.of(new dev.ensemble.persistence.LedgerEntry(first, "cli_0", "oai", "oai-1", "gpt-4o-mini",
          null, new dev.ensemble.model.Usage(1_000L, 1L, null, null), java.math.BigDecimal.ONE, 1, 1, 200, 1, "x", false,
          1_767_225_600_000L))).toCompletionStage().toCompletableFuture().get();
      assertEquals(before, await(new SqliteUsage(db.pool()).query(all)), "the replayed row was not inserted twice");
      // retention by the id's time (one row a minute): the first 100 minutes' rows go, the rest stay
      assertEquals(100, await(index.deleteCreatedBefore(1_767_225_600_000L + 100 * 60_000L)));
      String last = dev.ensemble.persistence.ResponseKeys.timePrefix(1_767_225_600_000L + 99 * 60_000L) + "abcdefghjkmnpqrs";
      String kept = dev.ensemble.persistence.ResponseKeys.timePrefix(1_767_225_600_000L + 100 * 60_000L) + "abcdefghjkmnpqrs";
      assertEquals(java.util.Set.of(kept), await(index.existing(List.of(last, kept))));
    }
    await(db.close());
  }

  @Test
  void splitsScriptsIntoStatementsAndDropsComments() {
    assertEquals(List.of("CREATE TABLE a (\n  x INTEGER\n)", "CREATE INDEX i ON a (x)"),
        Migrations.statements("-- a table\nCREATE TABLE a (\n  x INTEGER\n);\n\nCREATE INDEX i ON a (x);\n"));
  }

  private static String scalar(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> column(Connection c, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
