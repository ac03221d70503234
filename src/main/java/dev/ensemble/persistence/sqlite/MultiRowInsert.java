package dev.ensemble.persistence.sqlite;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/**
 * An {@code INSERT … VALUES (…),(…)} of one table, prepared on a {@link SqliteWriter} for 1, 2, 4, … {@link #MAX_ROWS}
 * rows: a batch of n rows is written in as many statements as n has bits set (50 rows: 32 + 16 + 2), not one
 * statement execution per row, which saves each row's JNI step and reset and SQLite's per-statement work (opening
 * the table's and its indexes' cursors, the statement journal). Rows of one statement are inserted in order, as
 * one statement each would be ({@code OR IGNORE} / {@code OR REPLACE} resolve a repeated key the same way); a row
 * the table refuses fails the statement, and with it the caller's transaction. Statements are prepared when a size
 * is first needed. Used only on the writer's thread, like the {@link SqliteWriter} it belongs to.
 */
public final class MultiRowInsert<T> {

  /** Sets one row's parameters, the row's first parameter being {@code offset + 1}. */
  @FunctionalInterface
  public interface Binder<T> {
    void bind(PreparedStatement statement, int offset, T row) throws SQLException;
  }

  /** Rows in one statement at most (x 22 ledger columns = 704 parameters, well under SQLite's 32,766). */
  static final int MAX_ROWS = 32;

  private final SqliteWriter writer;
  private final String head;
  private final String rowPlaceholders;
  private final int columns;
  private final Binder<? super T> binder;
  /** The statement for 2^i rows, once prepared. */
  private final PreparedStatement[] bySize = new PreparedStatement[Integer.numberOfTrailingZeros(MAX_ROWS) + 1];

  /**
   * @param head    the statement up to and including {@code VALUES}, e.g. {@code INSERT INTO t (a, b) VALUES}
   * @param columns the parameters of one row
   */
  public MultiRowInsert(SqliteWriter writer, String head, int columns, Binder<? super T> binder) {
    this.writer = writer;
    this.head = head;
    this.columns = columns;
    this.binder = binder;
    this.rowPlaceholders = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
  }

  /** Inserts the rows, in order (within the caller's transaction, or each statement on its own in auto-commit). */
  public void execute(List<? extends T> rows) throws SQLException {
    int from = 0;
    int left = rows.size();
    while (left > 0) {
      int size = Math.min(MAX_ROWS, Integer.highestOneBit(left));
      PreparedStatement statement = statement(size);
      for (int i = 0; i < size; i++) {
        binder.bind(statement, i * columns, rows.get(from + i));
      }
      statement.executeUpdate();
      from += size;
      left -= size;
    }
  }

  private PreparedStatement statement(int size) throws SQLException {
    int slot = Integer.numberOfTrailingZeros(size);
    PreparedStatement statement = bySize[slot];
    if (statement == null) {
      statement = writer.prepare(head + " " + String.join(",", Collections.nCopies(size, rowPlaceholders)));
      bySize[slot] = statement;
    }
    return statement;
  }
}
