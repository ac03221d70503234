package dev.ensemble.persistence.sqlite;

import dev.ensemble.model.CostE10;
import dev.ensemble.persistence.UsageGroup;
import dev.ensemble.persistence.UsageQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Answers {@link UsageQuery}s from {@code usage_ledger}: one row per group with the request count, summed
 * tokens (an unreported count adds 0) and the exact summed cost. Rows are ordered by their group columns.
 */
public final class SqliteUsage {

  private final Pool pool;

  public SqliteUsage(Pool pool) {
    this.pool = pool;
  }

  /** {@code {rows: [{<group columns>, requests, input, output, cache_read, cache_write, cost_usd, cache_hits, saved_usd, reasoning}]}}. */
  public Future<JsonObject> query(UsageQuery q) {
    List<UsageGroup> groups = q.groupBy();
    String sql = sql(groups);
    return pool.preparedQuery(sql).execute(Tuple.of(q.from().toEpochMilli(), q.to().toEpochMilli())).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row row : rows) {
        JsonObject r = new JsonObject();
        int i = 0;
        for (UsageGroup g : groups) {
          r.put(g.wireName(), row.getValue(i++));
        }
        r.put("requests", number(row, i++))
            .put("input", number(row, i++))
            .put("output", number(row, i++))
            .put("cache_read", number(row, i++))
            .put("cache_write", number(row, i++))
            .put("cost_usd", CostE10.usd(number(row, i++)))
            .put("cache_hits", number(row, i++))
            .put("saved_usd", CostE10.usd(number(row, i++)))
            .put("reasoning", number(row, i));
        out.add(r);
      }
      return new JsonObject().put("rows", out);
    });
  }

  /** The report's statement for {@code groups}: the rows of a {@code finished_at} range, through its index. */
  static String sql(List<UsageGroup> groups) {
    String columns = groups.stream().map(g -> column(g) + ", ").collect(Collectors.joining());
    String groupBy = groups.isEmpty() ? "" : " GROUP BY " + groups.stream().map(SqliteUsage::column).collect(Collectors.joining(", "))
        + " ORDER BY " + groups.stream().map(SqliteUsage::column).collect(Collectors.joining(", "));
    return "SELECT " + columns + "COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),"
        + " COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(cost_e10_usd), 0),"
        + " COUNT(cache_status), COALESCE(SUM(saved_e10_usd), 0), COALESCE(SUM(reasoning_tokens), 0)"
        + " FROM usage_ledger WHERE finished_at >= ? AND finished_at < ?" + groupBy;
  }

  private static String column(UsageGroup g) {
    return switch (g) {
      case PROVIDER -> "provider";
      case ENDPOINT -> "endpoint";
      case MODEL -> "model";
      case CLIENT -> "client_id";
    };
  }

  private static long number(Row row, int i) {
    Object v = row.getValue(i);
    return v == null ? 0 : ((Number) v).longValue();
  }
}
