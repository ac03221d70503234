package dev.ensemble.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the persistence worker's SQLite time per request goes: the same requests (one {@code responses} index row and
 * one {@code usage_ledger} row each, {@code batch} requests per {@code BEGIN IMMEDIATE … COMMIT}, WAL) written into
 * files that differ in one thing each, round after round alternated, the calling thread's CPU (user + system) per
 * request. The variants take one cost away at a time, so each difference is that cost:
 * <ul>
 *   <li>{@code bind}: the JDBC parameters of both rows set and cleared, nothing executed (the binding alone);</li>
 *   <li>{@code v6}: the schema as of migration V6 (both tables with a rowid, the text primary key's index, {@code
 *   usage_ledger_finished_at}, {@code responses_created_at}), one {@code executeUpdate} per row;</li>
 *   <li>{@code v6-sync-off}: the same with {@code synchronous=OFF} (never used by the node: the fsync per commit's share);</li>
 *   <li>{@code v6-no-finished}, {@code v6-no-created}: without that index (its B-tree's share);</li>
 *   <li>{@code v6-multi}: the same schema, the rows of a batch in multi-row {@code INSERT … VALUES (…),(…)} statements;</li>
 *   <li>{@code v7}: both tables {@code WITHOUT ROWID} keyed by the request id, no {@code responses_created_at};</li>
 *   <li>{@code v7-multi}: that schema with multi-row statements (what migration V7 and the worker do now).</li>
 * </ul>
 * Standalone (sqlite-jdbc only: any ensemble jar on the class path). Usage:
 * {@code taskset -c 0 java -cp <ensemble.jar>:/tmp/bench dev.ensemble.bench.SqliteRowCost [requests per round] [batch] [rounds] [variants…]}.
 */
public final class SqliteRowCost {

  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final int CHUNK = 16;

  private static final String LEDGER_COLUMNS = """
      INSERT OR IGNORE INTO usage_ledger (request_id, client_id, provider, endpoint, model, upstream_model, input_tokens,
        output_tokens, cache_read_tokens, cache_write_tokens, cost_e10_usd, latency_ms, ttfb_ms, status, attempts, route_reason,
        stream, finished_at, images, cache_status, saved_e10_usd, reasoning_tokens) VALUES """;
  private static final String LEDGER_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INDEX_COLUMNS = "INSERT OR REPLACE INTO responses (id, status, client_id, model, provider, created_at, completed_at, store_key) VALUES ";
  private static final String INDEX_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String LEDGER_TABLE = """
      CREATE TABLE usage_ledger (request_id TEXT PRIMARY KEY, client_id TEXT, provider TEXT, endpoint TEXT, model TEXT,
        upstream_model TEXT, input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_write_tokens INTEGER,
        cost_e10_usd INTEGER, latency_ms INTEGER NOT NULL, ttfb_ms INTEGER, status INTEGER NOT NULL, attempts INTEGER NOT NULL,
        route_reason TEXT, stream INTEGER NOT NULL, finished_at INTEGER NOT NULL, images INTEGER, cache_status TEXT,
        saved_e10_usd INTEGER, reasoning_tokens INTEGER)""";
  private static final String INDEX_TABLE = """
      CREATE TABLE responses (id TEXT PRIMARY KEY, status TEXT NOT NULL, client_id TEXT, model TEXT, provider TEXT,
        created_at INTEGER NOT NULL, completed_at INTEGER, store_key TEXT NOT NULL)""";

  private SqliteRowCost() {
  }

  private record Row(String id, long millis) {}

  private static final class Variant {
    final String name;
    final Connection connection;
    final boolean multi;
    final boolean bindOnly;
    PreparedStatement ledgerOne;
    PreparedStatement indexOne;
    PreparedStatement ledgerChunk;
    PreparedStatement indexChunk;
    final List<Double> cpu = new ArrayList<>();

    Variant(String name, Path dir) throws SQLException {
      this.name = name;
      this.multi = name.contains("-multi");
      this.bindOnly = name.equals("bind");
      this.connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(name + ".db")
          + "?journal_mode=WAL&busy_timeout=5000&foreign_keys=on&jdbc.get_generated_keys=false");
      try (Statement s = connection.createStatement()) {
        boolean v7 = name.startsWith("v7");
        s.execute(v7 ? LEDGER_TABLE + " WITHOUT ROWID" : LEDGER_TABLE);
        s.execute(v7 ? INDEX_TABLE + " WITHOUT ROWID" : INDEX_TABLE);
        if (!name.equals("v6-no-finished")) {
          s.execute("CREATE INDEX usage_ledger_finished_at ON usage_ledger (finished_at)");
        }
        if (!v7 && !name.equals("v6-no-created")) {
          s.execute("CREATE INDEX responses_created_at ON responses (created_at)");
        }
        if (name.contains("sync-off")) {
          s.execute("PRAGMA synchronous=OFF");
        }
      }
      ledgerOne = connection.prepareStatement(LEDGER_COLUMNS + LEDGER_ROW);
      indexOne = connection.prepareStatement(INDEX_COLUMNS + INDEX_ROW);
      ledgerChunk = connection.prepareStatement(LEDGER_COLUMNS + String.join(",", java.util.Collections.nCopies(CHUNK, LEDGER_ROW)));
      indexChunk = connection.prepareStatement(INDEX_COLUMNS + String.join(",", java.util.Collections.nCopies(CHUNK, INDEX_ROW)));
    }

    void write(List<Row> rows) throws SQLException {
      if (bindOnly) {
        for (Row r : rows) {
          bindIndex(indexOne, 0, r);
          indexOne.clearParameters();
          bindLedger(ledgerOne, 0, r);
          ledgerOne.clearParameters();
        }
        return;
      }
      try (Statement s = connection.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
      insert(rows, indexOne, indexChunk, 8, SqliteRowCost::bindIndex);
      insert(rows, ledgerOne, ledgerChunk, 22, SqliteRowCost::bindLedger);
      try (Statement s = connection.createStatement()) {
        s.execute("COMMIT");
      }
    }

    private void insert(List<Row> rows, PreparedStatement one, PreparedStatement chunk, int columns, Binder binder) throws SQLException {
      int i = 0;
      if (multi) {
        for (; i + CHUNK <= rows.size(); i += CHUNK) {
          for (int k = 0; k < CHUNK; k++) {
            binder.bind(chunk, k * columns, rows.get(i + k));
          }
          chunk.executeUpdate();
        }
      }
      for (; i < rows.size(); i++) {
        binder.bind(one, 0, rows.get(i));
        one.executeUpdate();
      }
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement s, int at, Row r) throws SQLException;
  }

  private static void bindIndex(PreparedStatement s, int at, Row r) throws SQLException {
    s.setString(at + 1, r.id);
    s.setString(at + 2, "completed");
    s.setString(at + 3, "client-1");
    s.setString(at + 4, "gpt-4o-mini");
    s.setString(at + 5, "oai");
    s.setLong(at + 6, r.millis);
    s.setObject(at + 7, r.millis);
    s.setString(at + 8, "2026-12-05/seg-" + r.millis / 60_000 + "-3kq9.log:" + (r.millis % 1_000_000) * 4700 + ":4700");
  }

  private static void bindLedger(PreparedStatement s, int at, Row r) throws SQLException {
    s.setString(at + 1, r.id);
    s.setString(at + 2, "client-1");
    s.setString(at + 3, "oai");
    s.setString(at + 4, "oai-1");
    s.setString(at + 5, "gpt-4o-mini");
    s.setString(at + 6, "gpt-4o-mini-2024-07-18");
    s.setObject(at + 7, 500L);
    s.setObject(at + 8, 250L);
    s.setObject(at + 9, null);
    s.setObject(at + 10, null);
    s.setObject(at + 11, 2_250_000L);
    s.setObject(at + 12, 12L);
    s.setObject(at + 13, 10L);
    s.setObject(at + 14, 200);
    s.setObject(at + 15, 1);
    s.setString(at + 16, "least_used");
    s.setInt(at + 17, 0);
    s.setObject(at + 18, r.millis);
    s.setObject(at + 19, null);
    s.setString(at + 20, null);
    s.setObject(at + 21, null);
    s.setObject(at + 22, null);
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<String> names = args.length > 3 ? List.of(args).subList(3, args.length)
        : List.of("bind", "v6", "v6-sync-off", "v6-no-finished", "v6-no-created", "v6-multi", "v7", "v7-multi");
    Path dir = Files.createTempDirectory("sqlite-row-cost");
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<Variant> variants = new ArrayList<>();
    try {
      for (String name : names) {
        variants.add(new Variant(name, dir));
      }
      for (int r = 0; r <= rounds; r++) {
        for (Variant v : variants) {
          List<Row> rows = new ArrayList<>(n);
          long now = System.currentTimeMillis();
          for (int i = 0; i < n; i++) {
            rows.add(new Row(id(now + i / 10), now + i / 10));
          }
          long cpu0 = mx.getCurrentThreadCpuTime();
          for (int from = 0; from < n; from += batch) {
            v.write(rows.subList(from, Math.min(n, from + batch)));
          }
          double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
          if (r > 0) {
            v.cpu.add(cpu);
          }
        }
      }
      System.out.printf(Locale.ROOT, "µs CPU per request (an index row + a ledger row), %d requests a round, batches of %d, rounds after a warm-up:%n", n, batch);
      for (Variant v : variants) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", v.name));
        for (double c : v.cpu) {
          line.append(String.format(Locale.ROOT, " %6.2f", c));
        }
        line.append(String.format(Locale.ROOT, "   median %6.2f", median(v.cpu)));
        System.out.println(line);
      }
    } finally {
      for (Variant v : variants) {
        v.connection.close();
      }
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    java.util.Collections.sort(sorted);
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
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
