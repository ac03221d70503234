package dev.ensemble.persistence.sqlite;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's SQLite file behind a Vert.x JDBC pool. Every pooled connection runs in WAL mode (readers never
 * wait for the writer), waits up to 5 s for a lock instead of failing at once, and enforces foreign keys. The hot
 * batched writes (ledger rows, response index rows) do not go through the pool but through the persistence
 * verticle's own {@link SqliteWriter} connection to the same file, with the same settings.
 */
public final class Database {

  /**
   * One connection: SQLite has one writer anyway, and one connection serialises the node's few pooled database
   * calls. The {@link SqliteWriter} is a second connection to the file. Neither leaves a transaction open between
   * its calls (the pool's connections return to auto-commit after each transaction, {@link AutoCommitDataSource}),
   * and every transaction begins IMMEDIATE, so a write waits (busy timeout) for the other connection's instead of
   * failing with SQLITE_BUSY because a stale read transaction cannot be upgraded.
   */
  private static final int POOL_SIZE = 1;

  private final Path file;
  private final Pool pool;

  private Database(Path file, Pool pool) {
    this.file = file;
    this.pool = pool;
  }

  /**
   * Opens (creating it and its parent folders if needed) the SQLite file at {@code path}. Blocks briefly.
   * Transactions begin IMMEDIATE: a writer takes the write lock up front and waits ({@code busy_timeout}) for
   * another writer, instead of failing with SQLITE_BUSY when a read transaction cannot be upgraded.
   */
  public static Database open(Vertx vertx, Path path) throws IOException {
    Path file = path.toAbsolutePath();
    Files.createDirectories(file.getParent());
    return new Database(file, JDBCPool.pool(vertx, new AutoCommitDataSource(jdbcUrl(file)),
        new PoolOptions().setMaxSize(POOL_SIZE).setName("ensemble-sqlite")));
  }

  /**
   * The URL of every connection to the file at {@code file}: the settings above, and no generated keys (sqlite-jdbc
   * would otherwise match each INSERT against a regex and run a {@code SELECT last_insert_rowid()} after it, for a
   * {@code getGeneratedKeys()} nothing here calls).
   */
  static String jdbcUrl(Path file) {
    return "jdbc:sqlite:" + file + "?journal_mode=WAL&busy_timeout=5000&foreign_keys=on&transaction_mode=IMMEDIATE&jdbc.get_generated_keys=false";
  }

  public Pool pool() {
    return pool;
  }

  public Path file() {
    return file;
  }

  /** The journal mode SQLite reports ({@code wal} when the file is in WAL mode). */
  public Future<String> journalMode() {
    return pool.query("PRAGMA journal_mode").execute().map(rows -> rows.iterator().next().getString(0));
  }

  public Future<Void> close() {
    return pool.close();
  }
}
