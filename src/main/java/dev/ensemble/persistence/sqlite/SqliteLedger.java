package dev.ensemble.persistence.sqlite;

import dev.ensemble.model.CostE10;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.LedgerStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
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
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  private final Pool pool;

  public SqliteLedger(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Void> insert(List<LedgerEntry> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> tuples = new ArrayList<>(rows.size());
    rows.forEach(r -> tuples.add(tuple(r)));
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT).executeBatch(tuples)).mapEmpty();
  }

  private static Tuple tuple(LedgerEntry r) {
    Usage u = r.usage() == null ? Usage.UNKNOWN : r.usage();
    return Tuple.tuple()
        .addValue(r.requestId())
        .addValue(r.clientId())
        .addValue(r.provider())
        .addValue(r.endpointId())
        .addValue(r.model())
        .addValue(r.upstreamModel())
        .addValue(u.input())
        .addValue(u.output())
        .addValue(u.cacheRead())
        .addValue(u.cacheWrite())
        .addValue(CostE10.of(r.costUsd()))
        .addValue(r.latencyMs())
        .addValue(r.timeToFirstByteMs() < 0 ? null : r.timeToFirstByteMs())
        .addValue(r.status())
        .addValue(r.attempts())
        .addValue(r.routeReason())
        .addValue(r.stream() ? 1 : 0)
        .addValue(r.finishedAtMillis())
        .addValue(r.images())
        .addValue(r.cacheStatus())
        .addValue(CostE10.of(r.savedUsd()))
        .addValue(u.reasoning());
  }
}
