package dev.ensemble.persistence;

import dev.ensemble.model.CostE10;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.sqlite.Database;
import dev.ensemble.persistence.sqlite.Migrations;
import dev.ensemble.persistence.sqlite.SqliteLedger;
import dev.ensemble.persistence.sqlite.SqliteWriter;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger writer against a real SQLite file, with stores that hold or refuse writes to force overflow. */
class LedgerWriterTest {

  private static final int CAPACITY = 16;
  private static final int BATCH = 8;
  /** Long enough that only explicit and batch-size flushes happen during a test. */
  private static final long INTERVAL_MS = 60_000;

  private final Vertx vertx = Vertx.vertx();
  private Database db;
  private SqliteWriter writerConnection;
  private SqliteLedger sqlite;
  private Path spill;

  @BeforeEach
  void open() throws Exception {
    Path dir = Path.of(GatewayExtension.scratchDir("ledger"));
    db = Database.open(vertx, dir.resolve("ensemble.db"));
    await(Migrations.bundled().apply(db.pool()));
    writerConnection = SqliteWriter.open(db);
    sqlite = new SqliteLedger(writerConnection);
    spill = dir.resolve("ledger-spill.jsonl");
  }

  @AfterEach
  void close() throws Exception {
    writerConnection.close();
    await(db.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private LedgerWriter writer(LedgerStore store) {
    return new LedgerWriter(vertx, store, spill, CAPACITY, BATCH, INTERVAL_MS);
  }

  static LedgerEntry row(int i) {
    return new LedgerEntry("req-" + i, null, "ant", "ant-1", "claude-test", "claude-sonnet-4-5-20250929",
        new Usage(1000L, 200L, 5000L, 2000L), new BigDecimal("0.015"), 120, 40, 200, 1, "least_used", false, 1_700_000_000_000L + i);
  }

  private long rows() throws Exception {
    return ((Number) await(db.pool().query("SELECT COUNT(*) FROM usage_ledger").execute()).iterator().next().getValue(0)).longValue();
  }

  @Test
  void aFloodThatOverflowsTheQueueWhileTheDatabaseIsBlockedLosesNoRowAndDuplicatesNone() throws Exception {
    Promise<Void> unblocked = Promise.promise();
    LedgerWriter writer = writer(rows -> unblocked.future().compose(v -> sqlite.insert(rows)));
    await(writer.start());
    int total = 1_000;

    for (int i = 0; i < total; i++) {
      writer.offer(row(i));
    }
    LedgerStats during = writer.stats();
    long spillBytes = Files.size(spill);
    unblocked.complete();
    await(writer.flush());
    LedgerStats after = writer.stats();

    assertTrue(during.overflowed() > 0, "the blocked database made the queue overflow: " + during);
    assertTrue(spillBytes > 0, "overflowing rows went to the spill file");
    assertEquals(total, during.queued() + during.overflowed());
    assertEquals(total, rows(), "every row is stored exactly once");
    assertEquals(total, after.written() + after.replayed(), after.toString());
    assertEquals(0, after.lost());
    assertFalse(after.spillPending(), "the replayed spill file is gone");
    await(writer.stop());
  }

  @Test
  void rowsOfARefusedBatchAreSpilledAndReplayedByTheNextFlush() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LedgerWriter writer = writer(rows -> calls.getAndIncrement() == 0 ? Future.failedFuture("database is locked") : sqlite.insert(rows));
    await(writer.start());
    for (int i = 0; i < 5; i++) {
      writer.offer(row(i));
    }

    Throwable failed = writer.flush().toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get(30, TimeUnit.SECONDS);
    long stored = rows();
    await(writer.flush());

    assertTrue(failed != null);
    assertEquals(0, stored);
    assertEquals(5, rows());
    assertEquals(5, writer.stats().spilled());
    assertEquals(5, writer.stats().replayed());
    assertEquals(1, writer.stats().failedFlushes());
    await(writer.stop());
  }

  @Test
  void stoppingWithAnUnwritableDatabaseSpillsTheQueueAndTheNextStartReplaysIt() throws Exception {
    LedgerWriter down = writer(rows -> Future.failedFuture("disk I/O error"));
    await(down.start());
    for (int i = 0; i < 40; i++) {
      down.offer(row(i));
    }
    await(down.stop());
    assertEquals(0, rows());
    assertEquals(40, down.stats().spilled());

    LedgerWriter restarted = writer(sqlite);
    await(restarted.start());

    assertEquals(40, rows());
    assertEquals(40, restarted.stats().replayed());
    assertFalse(Files.exists(spill) && Files.size(spill) > 0);
    await(restarted.stop());
  }

  @Test
  void aReplayInterruptedByACrashIsFinishedAtStartWithoutDuplicates() throws Exception {
    SpillFile file = new SpillFile(spill);
    file.append(List.of(row(1), row(2), row(3)));
    file.takeForReplay();
    await(sqlite.insert(List.of(row(1))));
    file.append(List.of(row(4)));

    LedgerWriter writer = writer(sqlite);
    await(writer.start());
    await(writer.flush());

    assertEquals(4, rows());
    await(writer.stop());
  }

  @Test
  void theSameRequestIdIsStoredOnce() throws Exception {
    await(sqlite.insert(List.of(row(7), row(7))));
    await(sqlite.insert(List.of(row(7))));

    assertEquals(1, rows());
  }

  @Test
  void spilledRowsRoundTripExactly() {
    LedgerEntry full = row(3);
    LedgerEntry sparse = new LedgerEntry("req-x", "client-1", null, null, "m", null, Usage.UNKNOWN, null, 5, -1, 502, 3, null, true, 42);

    assertEquals(full, LedgerEntryJson.fromJson(LedgerEntryJson.toJson(full)));
    assertEquals(sparse, LedgerEntryJson.fromJson(LedgerEntryJson.toJson(sparse)));
  }

  @Test
  void costsAreStoredAsExactIntegersOfTenToTheMinusTenUsd() {
    assertEquals(150_000_000L, CostE10.of(new BigDecimal("0.015")));
    assertEquals(new BigDecimal("0.015"), CostE10.usd(150_000_000L));
    assertEquals(new BigDecimal("0.0135"), CostE10.usd(135_000_000L));
    assertEquals(1L, CostE10.of(new BigDecimal("0.0000000001")));
    assertEquals(BigDecimal.ZERO, CostE10.usd(0));
  }
}
