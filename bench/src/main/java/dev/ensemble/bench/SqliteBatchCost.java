package dev.ensemble.bench;

import dev.ensemble.model.Usage;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.ResponseIndexRow;
import dev.ensemble.persistence.sqlite.Database;
import dev.ensemble.persistence.sqlite.Migrations;
import dev.ensemble.persistence.sqlite.SqliteLedger;
import dev.ensemble.persistence.sqlite.SqliteResponseIndex;
import dev.ensemble.persistence.sqlite.SqliteWriter;
import io.vertx.core.Vertx;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of the persistence worker's SQLite share of a request, alone: the response index row and the ledger row of
 * each request written as the worker writes them at steady state, a gathered batch of {@code batch} requests' index
 * rows and ledger rows in one transaction ({@link SqliteWriter#writeAll(List)}: {@code BEGIN IMMEDIATE}, the inserts,
 * {@code COMMIT} with its WAL sync, {@code synchronous=FULL}), on a file migrated with the jar's own migrations. Uses
 * only API that every jar since the worker's own connection has, so the same class measures "before" and "after"
 * against two jars. CPU is the calling thread's ({@code ThreadMXBean}: user + system, so the WAL writes and fsync
 * syscalls count), divided by requests (one index row + one ledger row each); rows are built before the clock starts.
 *
 * <p>Usage: {@code java -cp <ensemble.jar>:/tmp/bench dev.ensemble.bench.SqliteBatchCost [requests per round] [batch] [rounds]}
 * (defaults 100,000 requests, batches of 50, 3 rounds after a warm-up round; the file keeps growing across rounds, as a
 * node's does).
 */
public final class SqliteBatchCost {

  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

  private SqliteBatchCost() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path dir = Files.createTempDirectory("sqlite-batch-bench");
    Vertx vertx = Vertx.vertx();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try {
      Database database = Database.open(vertx, dir.resolve("ensemble.db"));
      Migrations.bundled().apply(database.pool()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      try (SqliteWriter writer = SqliteWriter.open(database)) {
        SqliteResponseIndex index = new SqliteResponseIndex(database.pool(), writer);
        SqliteLedger ledger = new SqliteLedger(writer);
        for (int r = 0; r <= rounds; r++) {
          List<ResponseIndexRow> rows = new ArrayList<>(n);
          List<LedgerEntry> billed = new ArrayList<>(n);
          long now = System.currentTimeMillis();
          for (int i = 0; i < n; i++) {
            String id = id(now + i / 10);
            rows.add(indexRow(id, now + i / 10));
            billed.add(ledgerRow(id, now + i / 10));
          }
          long cpu0 = mx.getCurrentThreadCpuTime();
          long user0 = mx.getCurrentThreadUserTime();
          long t0 = System.nanoTime();
          for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            writer.writeAll(List.of(index.batch(rows.subList(from, to)), ledger.batch(billed.subList(from, to))));
          }
          long wall = System.nanoTime() - t0;
          double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
          double user = (mx.getCurrentThreadUserTime() - user0) / 1e3 / n;
          System.out.printf(Locale.ROOT, "%s: %.2f µs CPU per request (user %.2f, system %.2f), %,.0f requests/s wall, batches of %d%n",
              r == 0 ? "warm-up" : "round " + r, cpu, user, cpu - user, n / (wall / 1e9), batch);
        }
      }
      database.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static ResponseIndexRow indexRow(String id, long millis) {
    Instant at = Instant.ofEpochMilli(millis);
    return new ResponseIndexRow(id, "completed", "client-1", "gpt-4o-mini", "oai", at, at,
        "2026-12-05/seg-" + millis / 60_000 + "-3kq9.log:" + (millis % 1_000_000) * 4700 + ":4700");
  }

  private static LedgerEntry ledgerRow(String id, long millis) {
    return new LedgerEntry(id, "client-1", "oai", "oai-1", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", new Usage(500L, 250L, null, null),
        new BigDecimal("0.000225"), 12, 10, 200, 1, "least_used", false, millis);
  }

  /** A request id as the gateway makes them: time-ordered by its first 10 characters, then 80 random bits. */
  private static String id(long millis) {
    char[] id = new char[26];
    for (int i = 9; i >= 0; i--) {
      id[i] = ALPHABET.charAt((int) (millis & 31));
      millis >>>= 5;
    }
    for (int i = 10; i < 26; i++) {
      id[i] = ALPHABET.charAt(ThreadLocalRandom.current().nextInt(32));
    }
    return new String(id);
  }
}
