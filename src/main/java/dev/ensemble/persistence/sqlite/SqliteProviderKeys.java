package dev.ensemble.persistence.sqlite;

import dev.ensemble.keys.StoredKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code provider_keys} table: admin-added provider keys, the key itself only as ciphertext (this class
 * never sees a plaintext key). {@code UNIQUE (provider, name)} guards against two keys of one name. Writes run
 * in explicit transactions: the JDBC pool does not commit on its own.
 */
public final class SqliteProviderKeys {

  private final Pool pool;

  public SqliteProviderKeys(Pool pool) {
    this.pool = pool;
  }

  /** Every stored key, oldest first. */
  public Future<List<StoredKey>> list() {
    return pool.query("SELECT id, provider, name, api_key_ciphertext, weight, endpoints_json, created_at FROM provider_keys"
        + " WHERE disabled = 0 ORDER BY created_at, id").execute().map(rows -> {
      List<StoredKey> out = new ArrayList<>();
      for (Row row : rows) {
        out.add(new StoredKey(row.getString(0), row.getString(1), row.getString(2), text(row.getValue(3)),
            ((Number) row.getValue(4)).doubleValue(), row.getString(5), ((Number) row.getValue(6)).longValue()));
      }
      return out;
    });
  }

  /** Inserts {@code key}; fails with {@link DuplicateKeyException} when its provider already has a key of that name. */
  public Future<Void> insert(StoredKey key) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO provider_keys"
                + " (id, provider, name, api_key_ciphertext, weight, endpoints_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(key.id(), key.provider(), key.name(), key.ciphertext(), key.weight(), key.endpointsJson(), key.createdAt())))
        .<Void>mapEmpty()
        .recover(err -> Future.failedFuture(String.valueOf(err.getMessage()).contains("UNIQUE") ? new DuplicateKeyException() : err));
  }

  /** Deletes the key {@code id}; true when there was one. */
  public Future<Boolean> delete(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM provider_keys WHERE id = ?").execute(Tuple.of(id)))
        .map(rows -> rows.rowCount() > 0);
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.US_ASCII) : String.valueOf(value);
  }

  /** The provider already has a key of that name. */
  public static final class DuplicateKeyException extends RuntimeException {
    DuplicateKeyException() {
      super("a key of that provider and name exists", null, false, false);
    }
  }
}
