package dev.ensemble.persistence.sqlite;

import dev.ensemble.persistence.ResponseIndexRow;
import dev.ensemble.persistence.ResponseKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@code responses} table, the index of the response store: one row per stored response, so an unknown
 * id is answered without asking the store. Times are epoch milliseconds. Rows are written through the persistence
 * verticle's {@link SqliteWriter}, a batch (the records one wake-up of the inbox stored) in one transaction, on the
 * calling thread, and so are deletions; reads go through the pool. Confined to one context (the persistence verticle's).
 */
public final class SqliteResponseIndex {

  private static final String UPSERT = """
      INSERT OR REPLACE INTO responses (id, status, client_id, model, provider, created_at, completed_at, store_key)
      VALUES""";
  static final String FIND = "SELECT id, status, client_id, model, provider, created_at, completed_at, store_key FROM responses WHERE id = ?";

  static final String DELETE = "DELETE FROM responses WHERE id = ?";
  static final String STORE_KEY = "SELECT store_key FROM responses WHERE id = ?";
  static final String DELETE_BEFORE = "DELETE FROM responses WHERE id < ?";

  private final Pool pool;
  private final SqliteWriter writer;
  private final MultiRowInsert<ResponseIndexRow> upsert;
  private final PreparedStatement storeKey;
  private final PreparedStatement remove;

  /** @param writer the persistence verticle's connection; {@link #putAll} blocks on it (call on that verticle's worker) */
  public SqliteResponseIndex(Pool pool, SqliteWriter writer) throws SQLException {
    this.pool = pool;
    this.writer = writer;
    this.upsert = new MultiRowInsert<>(writer, UPSERT, 8, SqliteResponseIndex::bind);
    this.storeKey = writer.prepare(STORE_KEY);
    this.remove = writer.prepare(DELETE);
  }

  /** Writes the row (committed when the returned future is, at once). */
  public Future<Void> put(ResponseIndexRow row) {
    return putAll(List.of(row));
  }

  /** Writes all the rows in one transaction on the calling thread; the future is completed when it returns. */
  public Future<Void> putAll(List<ResponseIndexRow> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    try {
      writer.writeAll(upsert, rows);
      return Future.succeededFuture();
    } catch (SQLException e) {
      return Future.failedFuture(e);
    }
  }

  /** The rows as a batch of this table's upsert, for a transaction written together with other tables' rows ({@link SqliteWriter#writeAll(List)}). */
  public SqliteWriter.Batch<ResponseIndexRow> batch(List<ResponseIndexRow> rows) {
    return new SqliteWriter.Batch<>(upsert, rows);
  }

  public Future<Optional<ResponseIndexRow>> find(String id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(row(it.next())) : Optional.empty();
    });
  }

  /** Which of {@code ids} have a row: one query for all of them (recovery asks 512 at a time). */
  public Future<java.util.Set<String>> existing(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(java.util.Set.of());
    }
    String sql = existingSql(ids.size());
    Tuple args = Tuple.tuple();
    ids.forEach(args::addValue);
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      java.util.Set<String> found = new java.util.HashSet<>();
      rows.forEach(r -> found.add(r.getString("id")));
      return found;
    });
  }

  /** Which of {@code n} ids have a row. */
  static String existingSql(int n) {
    return "SELECT id FROM responses WHERE id IN (" + "?,".repeat(n - 1) + "?)";
  }

  /** Removes the row, in one transaction on the writer (this worker); the store key it had, or empty when there was none. */
  public Future<Optional<String>> delete(String id) {
    try {
      return Future.succeededFuture(writer.inTransaction(() -> {
        storeKey.setString(1, id);
        String key;
        try (ResultSet rs = storeKey.executeQuery()) {
          key = rs.next() ? rs.getString(1) : null;
        }
        if (key == null) {
          return Optional.<String>empty();
        }
        remove.setString(1, id);
        remove.executeUpdate();
        return Optional.of(key);
      }));
    } catch (SQLException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Removes the rows of responses created before {@code epochMillis} by their id's time (the store files a response
   * under its id's day, and expires whole days); how many. A range of the primary key: the table has no other index.
   */
  public Future<Integer> deleteCreatedBefore(long epochMillis) {
    return pool.preparedQuery(DELETE_BEFORE).execute(Tuple.of(ResponseKeys.timePrefix(epochMillis)))
        .map(rows -> rows.rowCount());
  }

  private static void bind(PreparedStatement s, int at, ResponseIndexRow r) throws SQLException {
    s.setString(at + 1, r.id());
    s.setString(at + 2, r.status());
    s.setString(at + 3, r.clientId());
    s.setString(at + 4, r.model());
    s.setString(at + 5, r.provider());
    s.setLong(at + 6, r.createdAt().toEpochMilli());
    s.setObject(at + 7, r.completedAt() == null ? null : r.completedAt().toEpochMilli());
    s.setString(at + 8, r.storeKey());
  }

  private static ResponseIndexRow row(Row r) {
    Long completed = r.getLong("completed_at");
    return new ResponseIndexRow(r.getString("id"), r.getString("status"), r.getString("client_id"), r.getString("model"),
        r.getString("provider"), Instant.ofEpochMilli(r.getLong("created_at")), completed == null ? null : Instant.ofEpochMilli(completed),
        r.getString("store_key"));
  }
}
