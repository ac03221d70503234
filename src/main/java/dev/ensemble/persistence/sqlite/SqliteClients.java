package dev.ensemble.persistence.sqlite;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Each gateway client's spend from {@code usage_ledger} (this node's requests). The clients themselves are
 * shared entries ({@link SqliteSharedEntries}).
 */
public final class SqliteClients {

  static final String SPENT_SINCE = "SELECT client_id, COALESCE(SUM(cost_e10_usd), 0) FROM usage_ledger"
      + " WHERE client_id IS NOT NULL AND finished_at >= ? GROUP BY client_id";

  private final Pool pool;

  public SqliteClients(Pool pool) {
    this.pool = pool;
  }

  /** Cost per client id (10^-10 USD, as stored) of the ledger rows finished at or after {@code since}. */
  public Future<Map<String, Long>> spentSince(Instant since) {
    return pool.preparedQuery(SPENT_SINCE)
        .execute(Tuple.of(since.toEpochMilli())).map(rows -> {
          Map<String, Long> out = new HashMap<>();
          for (Row r : rows) {
            out.put(r.getString(0), ((Number) r.getValue(1)).longValue());
          }
          return out;
        });
  }
}
