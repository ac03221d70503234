package dev.ensemble.persistence.sqlite;

import dev.ensemble.model.SharedEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code shared_entries} table: this node's durable copy of the fleet's shared state, deletion markers
 * included. A write keeps whichever copy {@link SharedEntry#supersedes} the other, in one transaction, so
 * copies arriving in any order leave the same row.
 */
public final class SqliteSharedEntries {

  private final Pool pool;
  private final SqliteWriter writer;
  private final PreparedStatement find;
  private final PreparedStatement upsert;

  /** Reads only (no writer connection). */
  public SqliteSharedEntries(Pool pool) {
    this.pool = pool;
    this.writer = null;
    this.find = null;
    this.upsert = null;
  }

  /** @param writer the persistence verticle's connection, which writes (see {@link SqliteWriter}) */
  public SqliteSharedEntries(Pool pool, SqliteWriter writer) throws SQLException {
    this.pool = pool;
    this.writer = writer;
    this.find = writer.prepare("SELECT kind, id, version, deleted, body FROM shared_entries WHERE kind = ? AND id = ?");
    this.upsert = writer.prepare("INSERT OR REPLACE INTO shared_entries (kind, id, version, deleted, body) VALUES (?, ?, ?, ?, ?)");
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

  /**
   * Stores {@code entry} unless the stored copy supersedes it; true when it was stored. One transaction on the
   * writer connection (blocking: call on the persistence worker), which needs one; fails without it.
   */
  public Future<Boolean> putIfNewer(SharedEntry entry) {
    if (writer == null) {
      return Future.failedFuture(new IllegalStateException("no writer connection"));
    }
    try {
      return Future.succeededFuture(writer.inTransaction(() -> {
        find.setString(1, entry.kind());
        find.setString(2, entry.id());
        SharedEntry stored = null;
        try (ResultSet rs = find.executeQuery()) {
          if (rs.next()) {
            stored = new SharedEntry(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4) != 0, new JsonObject(rs.getString(5)));
          }
        }
        if (!entry.supersedes(stored)) {
          return false;
        }
        upsert.setString(1, entry.kind());
        upsert.setString(2, entry.id());
        upsert.setLong(3, entry.version());
        upsert.setInt(4, entry.deleted() ? 1 : 0);
        upsert.setString(5, entry.body().encode());
        upsert.executeUpdate();
        return true;
      }));
    } catch (SQLException e) {
      return Future.failedFuture(e);
    }
  }

  private static SharedEntry entry(Row r) {
    return new SharedEntry(r.getString(0), r.getString(1), ((Number) r.getValue(2)).longValue(), ((Number) r.getValue(3)).intValue() != 0,
        new JsonObject(r.getString(4)));
  }
}
