package dev.ensemble.persistence.sqlite;

import dev.ensemble.persistence.ResponseIndexRow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code responses} table, the index of the response store: one row per stored response, so an unknown
 * id is answered without asking the store. Times are epoch milliseconds. Rows that arrive while a write is in
 * flight are written together in the next transaction, so a burst of responses costs a few commits, not one
 * each. Confined to one context (the persistence verticle's).
 */
public final class SqliteResponseIndex {

  private static final String UPSERT = """
      INSERT OR REPLACE INTO responses (id, status, client_id, model, provider, created_at, completed_at, store_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";
  private static final String FIND = "SELECT id, status, client_id, model, provider, created_at, completed_at, store_key FROM responses WHERE id = ?";

  private static final String DELETE = "DELETE FROM responses WHERE id = ?";

  private final Pool pool;
  private List<Pending> queued = new ArrayList<>();
  private boolean writing;

  public SqliteResponseIndex(Pool pool) {
    this.pool = pool;
  }

  /** Completes once the row is committed. */
  public Future<Void> put(ResponseIndexRow row) {
    Promise<Void> written = Promise.promise();
    queued.add(new Pending(row, written));
    if (!writing) {
      writeQueued();
    }
    return written.future();
  }

  /** Completes once all the rows are committed; rows not yet being written go into one transaction together. */
  public Future<Void> putAll(List<ResponseIndexRow> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> written = new ArrayList<>(rows.size());
    for (ResponseIndexRow row : rows) {
      Promise<Void> done = Promise.promise();
      queued.add(new Pending(row, done));
      written.add(done.future());
    }
    if (!writing) {
      writeQueued();
    }
    return Future.all(written).mapEmpty();
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
    String sql = "SELECT id FROM responses WHERE id IN (" + "?,".repeat(ids.size() - 1) + "?)";
    Tuple args = Tuple.tuple();
    ids.forEach(args::addValue);
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      java.util.Set<String> found = new java.util.HashSet<>();
      rows.forEach(r -> found.add(r.getString("id")));
      return found;
    });
  }

  /** Removes the row; the store key it had, or empty when there was none. Rows still queued for writing are written first. */
  public Future<Optional<String>> delete(String id) {
    Future<Void> pending = queued.stream().filter(p -> p.row().id().equals(id)).findFirst()
        .map(p -> p.written().future()).orElse(Future.succeededFuture());
    return pending.recover(err -> Future.succeededFuture())
        .compose(v -> pool.withTransaction(conn -> conn.preparedQuery(FIND).execute(Tuple.of(id)).compose(rows -> {
          var it = rows.iterator();
          if (!it.hasNext()) {
            return Future.succeededFuture(Optional.<String>empty());
          }
          String key = it.next().getString("store_key");
          return conn.preparedQuery(DELETE).execute(Tuple.of(id)).map(deleted -> Optional.of(key));
        })));
  }

  /** Removes the rows of responses created before {@code epochMillis} (their store expired them); how many. */
  public Future<Integer> deleteCreatedBefore(long epochMillis) {
    return pool.preparedQuery("DELETE FROM responses WHERE created_at < ?").execute(Tuple.of(epochMillis)).map(rows -> rows.rowCount());
  }

  private void writeQueued() {
    List<Pending> batch = queued;
    queued = new ArrayList<>();
    writing = true;
    List<Tuple> tuples = new ArrayList<>(batch.size());
    batch.forEach(p -> tuples.add(tuple(p.row())));
    pool.withTransaction(conn -> conn.preparedQuery(UPSERT).executeBatch(tuples)).onComplete(ar -> {
      batch.forEach(p -> {
        if (ar.succeeded()) {
          p.written().complete();
        } else {
          p.written().fail(ar.cause());
        }
      });
      writing = false;
      if (!queued.isEmpty()) {
        writeQueued();
      }
    });
  }

  private static Tuple tuple(ResponseIndexRow r) {
    return Tuple.tuple().addValue(r.id()).addValue(r.status()).addValue(r.clientId()).addValue(r.model()).addValue(r.provider())
        .addValue(r.createdAt().toEpochMilli()).addValue(r.completedAt() == null ? null : r.completedAt().toEpochMilli())
        .addValue(r.storeKey());
  }

  private static ResponseIndexRow row(Row r) {
    Long completed = r.getLong("completed_at");
    return new ResponseIndexRow(r.getString("id"), r.getString("status"), r.getString("client_id"), r.getString("model"),
        r.getString("provider"), Instant.ofEpochMilli(r.getLong("created_at")), completed == null ? null : Instant.ofEpochMilli(completed),
        r.getString("store_key"));
  }

  private record Pending(ResponseIndexRow row, Promise<Void> written) {}
}
