package dev.ensemble.persistence.sqlite;

import dev.ensemble.model.CostE10;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.LedgerStore;
import io.vertx.core.Future;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code usage_ledger} table. Costs are stored exactly as an integer count of 10^-10 USD
 * ({@code cost_e10_usd}), the scale {@link dev.ensemble.pricing.CostCalculator} rounds to, so sums in SQL stay
 * exact; a row whose request id is already stored is ignored, which makes replays idempotent.
 */
public final class SqliteLedger implements LedgerStore {

  private static final String INSERT = """
      INSERT OR IGNORE INTO usage_ledger (request_id, client_id, provider, endpoint, model, upstream_model, input_tokens,
        output_tokens, cache_read_tokens, cache_write_tokens, cost_e10_usd, latency_ms, ttfb_ms, status, attempts, route_reason,
        stream, finished_at, images, cache_status, saved_e10_usd, reasoning_tokens)
      VALUES""";
  private static final int COLUMNS = 22;

  private final SqliteWriter writer;
  private final MultiRowInsert<LedgerEntry> insert;

  /** @param writer the persistence verticle's connection; {@link #insert} blocks on it (call on that verticle's worker) */
  public SqliteLedger(SqliteWriter writer) throws SQLException {
    this.writer = writer;
    this.insert = new MultiRowInsert<>(writer, INSERT, COLUMNS, SqliteLedger::bind);
  }

  /** Writes the rows in one transaction on the calling thread; the future is completed when it returns. */
  @Override
  public Future<Void> insert(List<LedgerEntry> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    try {
      writer.writeAll(insert, rows);
      return Future.succeededFuture();
    } catch (SQLException e) {
      return Future.failedFuture(e);
    }
  }

  /** The rows as a batch of this table's insert, for a transaction written together with other tables' rows ({@link SqliteWriter#writeAll(List)}). */
  public SqliteWriter.Batch<LedgerEntry> batch(List<LedgerEntry> rows) {
    return new SqliteWriter.Batch<>(insert, rows);
  }

  private static void bind(PreparedStatement s, int at, LedgerEntry r) throws SQLException {
    Usage u = r.usage() == null ? Usage.UNKNOWN : r.usage();
    s.setString(at + 1, r.requestId());
    s.setString(at + 2, r.clientId());
    s.setString(at + 3, r.provider());
    s.setString(at + 4, r.endpointId());
    s.setString(at + 5, r.model());
    s.setString(at + 6, r.upstreamModel());
    s.setObject(at + 7, u.input());
    s.setObject(at + 8, u.output());
    s.setObject(at + 9, u.cacheRead());
    s.setObject(at + 10, u.cacheWrite());
    s.setObject(at + 11, CostE10.of(r.costUsd()));
    s.setObject(at + 12, r.latencyMs());
    s.setObject(at + 13, r.timeToFirstByteMs() < 0 ? null : r.timeToFirstByteMs());
    s.setObject(at + 14, r.status());
    s.setObject(at + 15, r.attempts());
    s.setString(at + 16, r.routeReason());
    s.setInt(at + 17, r.stream() ? 1 : 0);
    s.setObject(at + 18, r.finishedAtMillis());
    s.setObject(at + 19, r.images());
    s.setString(at + 20, r.cacheStatus());
    s.setObject(at + 21, CostE10.of(r.savedUsd()));
    s.setObject(at + 22, u.reasoning());
  }
}
