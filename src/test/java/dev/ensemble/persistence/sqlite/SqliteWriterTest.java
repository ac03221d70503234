package dev.ensemble.persistence.sqlite;

import dev.ensemble.persistence.ResponseIndexRow;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The persistence verticle's own connection beside the pool, through the response index it writes. */
class SqliteWriterTest {

  private final Vertx vertx = Vertx.vertx();
  private Database db;
  private SqliteWriter writer;
  private SqliteResponseIndex index;

  @BeforeEach
  void open() throws Exception {
    db = Database.open(vertx, Path.of(GatewayExtension.scratchDir("sqlite-writer"), "ensemble.db"));
    await(Migrations.bundled().apply(db.pool()));
    writer = SqliteWriter.open(db);
    index = new SqliteResponseIndex(db.pool(), writer);
  }

  @AfterEach
  void close() throws Exception {
    writer.close();
    await(db.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static ResponseIndexRow row(String id, String status) {
    return new ResponseIndexRow(id, status, "client-1", "gpt-4o-mini", "openai", Instant.ofEpochMilli(1_700_000_000_000L),
        Instant.ofEpochMilli(1_700_000_001_000L), "2023/11/14/seg-0.log:" + id.length());
  }

  @Test
  void connectionsDoNotQueryTheLastRowIdAfterEachInsert() throws Exception {
    // sqlite-jdbc's default runs a regex over the SQL and prepares and steps "SELECT last_insert_rowid()" after every
    // INSERT, for getGeneratedKeys(), which nothing here reads: a third of the persistence worker's CPU per row
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(Database.jdbcUrl(db.file()))) {
      assertEquals(false, c.unwrap(org.sqlite.SQLiteConnection.class).getConnectionConfig().isGetGeneratedKeys());
    }
  }

  @Test
  void rowsWrittenInABatchAreReadThroughThePool() throws Exception {
    await(index.putAll(List.of(row("resp_a", "completed"), row("resp_b", "failed"), row("resp_c", "completed"))));

    assertEquals(Optional.of(row("resp_b", "failed")), await(index.find("resp_b")));
    assertEquals(List.of("resp_a", "resp_c"), await(index.existing(List.of("resp_a", "resp_c", "resp_z"))).stream().sorted().toList());
  }

  @Test
  void aBatchOfManyRowsIsWrittenInOrderSoARepeatedIdKeepsItsLastRow() throws Exception {
    // 53 rows go in multi-row statements of 32, 16, 4 and 1 rows; rows 7 and 40 share an id
    List<ResponseIndexRow> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 53; i++) {
      rows.add(row(i == 40 ? "resp_7" : "resp_" + i, i == 40 ? "failed" : "completed"));
    }

    await(index.putAll(rows));

    assertEquals(Optional.of(row("resp_7", "failed")), await(index.find("resp_7")), "the later row replaced the earlier");
    assertEquals(52, await(index.existing(rows.stream().map(ResponseIndexRow::id).distinct().toList())).size());
    assertEquals(Optional.of(row("resp_52", "completed")), await(index.find("resp_52")));
  }

  @Test
  void thePoolCanWriteRightAfterABatchTheWriteLockIsNotHeldBetweenBatches() throws Exception {
    await(index.putAll(List.of(row("resp_a", "completed"))));

    // a write on the pool's connection (BEGIN IMMEDIATE): it would wait out the busy timeout and fail if the writer
    // still held the file's write lock
    assertEquals(Optional.of("2023/11/14/seg-0.log:6"), await(index.delete("resp_a")));
    await(index.put(row("resp_b", "completed")));
    assertEquals(1, await(index.deleteCreatedBefore(Long.MAX_VALUE)));
  }

  @Test
  void aBatchWithARowTheTableRefusesCommitsNoneOfItsRows() throws Exception {
    List<ResponseIndexRow> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(row("resp_" + i, "completed"));
    }
    batch.set(0, row("resp_a", "completed"));
    batch.set(5, row("resp_b", null)); // in the statement of the first 16 rows
    batch.set(19, row("resp_c", "completed"));
    Future<Void> refused = index.putAll(batch);

    assertTrue(refused.failed(), "a NOT NULL column left empty fails the batch");
    assertEquals(Optional.empty(), await(index.find("resp_a")));
    assertEquals(Optional.empty(), await(index.find("resp_c")));

    await(index.putAll(List.of(row("resp_a", "completed"))));
    assertTrue(await(index.find("resp_a")).isPresent(), "the connection writes again after a rolled-back batch");
  }

  @Test
  void aPoolWriteOutsideATransactionIsCommittedAtOnceEvenAfterThePoolRanTransactions() throws Exception {
    // the migrations ran in pool transactions; then a plain statement on the pool
    await(db.pool().query("INSERT INTO responses (id, status, created_at, store_key) VALUES ('resp_p', 'completed', 1, 'k')").execute());

    try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db.file());
        java.sql.ResultSet rs = other.createStatement().executeQuery("SELECT COUNT(*) FROM responses WHERE id = 'resp_p'")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "another connection sees the row: it is committed, not left in an open transaction");
    }
    await(index.putAll(List.of(row("resp_a", "completed"))));
  }
}
