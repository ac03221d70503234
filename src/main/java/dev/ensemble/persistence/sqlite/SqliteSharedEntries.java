package dev.ensemble.persistence.sqlite;

import dev.ensemble.model.SharedEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code shared_entries} table: this node's durable copy of the fleet's shared state, deletion markers
 * included. A write keeps whichever copy {@link SharedEntry#supersedes} the other, in one transaction, so
 * copies arriving in any order leave the same row.
 */
public final class SqliteSharedEntries {

  private final Pool pool;

  public SqliteSharedEntries(Pool pool) {
    this.pool = pool;
  }

  /** Every entry, deletion markers included, oldest version first. */
  public Future<List<SharedEntry>> all() {
    return pool.query("SELECT kind, id, version, deleted, body FROM shared_entries ORDER BY version, kind, id").execute().map(rows -> {
      List<SharedEntry> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(entry(r));
      }
      return out;
    });
  }

  /** Stores {@code entry} unless the stored copy supersedes it; true when it was stored. */
  public Future<Boolean> putIfNewer(SharedEntry entry) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT kind, id, version, deleted, body FROM shared_entries WHERE kind = ? AND id = ?")
        .execute(Tuple.of(entry.kind(), entry.id()))
        .compose(rows -> {
          SharedEntry stored = rows.size() == 0 ? null : entry(rows.iterator().next());
          if (!entry.supersedes(stored)) {
            return Future.succeededFuture(false);
          }
          return conn.preparedQuery("INSERT OR REPLACE INTO shared_entries (kind, id, version, deleted, body) VALUES (?, ?, ?, ?, ?)")
              .execute(Tuple.of(entry.kind(), entry.id(), entry.version(), entry.deleted() ? 1 : 0, entry.body().encode()))
              .map(r -> true);
        }));
  }

  private static SharedEntry entry(Row r) {
    return new SharedEntry(r.getString(0), r.getString(1), ((Number) r.getValue(2)).longValue(), ((Number) r.getValue(3)).intValue() != 0,
        new JsonObject(r.getString(4)));
  }
}
