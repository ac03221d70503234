package dev.ensemble.persistence.sqlite;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain JDBC connection to the node's SQLite file for the hot batched writes (ledger rows, response index rows):
 * a batch is one transaction written by one blocking call on the calling thread, with statements prepared once (a
 * table's rows in multi-row {@code INSERT}s, {@link MultiRowInsert}),
 * instead of a chain of hops through the Vert.x pool's threads (acquisition, {@code BEGIN}, the statements and
 * {@code COMMIT} each on another thread and back). Owned by the persistence verticle and used only on its worker
 * context (tasks run one at a time, so the connection and its statements need no lock); opened after the schema
 * migrations, closed before the pool.
 *
 * <p>Same settings as the pool's connection ({@link Database#jdbcUrl}: WAL, busy timeout, foreign keys). Each batch
 * runs between {@code BEGIN IMMEDIATE} and {@code COMMIT} issued by hand on a connection left in auto-commit mode:
 * the write lock is taken up front (waiting up to the busy timeout for a pool writer, clients or shared entries,
 * instead of failing when a read cannot be upgraded) and released at the commit. The driver's own transaction mode
 * is not used because, outside auto-commit, it begins the next transaction right after each commit and would hold
 * the file's write lock between batches, starving every other writer.
 *
 * <p>Every multi-statement write transaction of the running node goes through this connection (index rows and their
 * deletion, shared entries): a pool transaction spans several tasks of the context that started it, so if that
 * context is this worker, blocked here waiting for the pool's write lock, neither could go on until the busy timeout.
 * The pool keeps single statements (which hold the lock only while they run on the pool's thread) and reads.
 */
public final class SqliteWriter implements AutoCloseable {

  private final Connection connection;
  private final PreparedStatement begin;
  private final PreparedStatement commit;
  private final PreparedStatement rollback;
  private final List<PreparedStatement> prepared = new ArrayList<>();

  private SqliteWriter(Connection connection) throws SQLException {
    this.connection = connection;
    this.begin = prepare("BEGIN IMMEDIATE");
    this.commit = prepare("COMMIT");
    this.rollback = prepare("ROLLBACK");
  }

  /** Opens a connection to the file of {@code database} (call on a worker: blocks briefly). */
  public static SqliteWriter open(Database database) throws SQLException {
    Connection connection = DriverManager.getConnection(Database.jdbcUrl(database.file()));
    try {
      return new SqliteWriter(connection);
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  /** A statement prepared once on this connection, closed with it. */
  public PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    prepared.add(statement);
    return statement;
  }

  /** Inserts the rows with {@code insert}, all in one transaction: every row is committed, or (on failure) none. */
  public <T> void writeAll(MultiRowInsert<T> insert, List<? extends T> rows) throws SQLException {
    inTransaction(() -> {
      insert.execute(rows);
      return null;
    });
  }

  /** Rows of one table inserted as part of a transaction ({@link #writeAll(List)}). */
  public record Batch<T>(MultiRowInsert<T> insert, List<? extends T> rows) {

    void execute() throws SQLException {
      insert.execute(rows);
    }
  }

  /**
   * Executes every batch in one transaction (one commit, so one WAL sync for all of them): every row of every batch
   * is committed, or (on failure) none.
   */
  public void writeAll(List<Batch<?>> batches) throws SQLException {
    inTransaction(() -> {
      for (Batch<?> batch : batches) {
        batch.execute();
      }
      return null;
    });
  }

  /** Work done in one transaction on this connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} (statements of this connection) in one transaction: committed, or rolled back when it throws. */
  public <T> T inTransaction(Work<T> work) throws SQLException {
    begin.execute();
    try {
      T result = work.run();
      commit.execute();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        rollback.execute();
      } catch (SQLException rollbackFailed) {
        e.addSuppressed(rollbackFailed);
      }
      throw e;
    }
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement statement : prepared) {
      statement.close();
    }
    connection.close();
  }
}
