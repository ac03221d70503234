package dev.ensemble.persistence.sqlite;

import dev.ensemble.persistence.UsageGroup;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static dev.ensemble.persistence.sqlite.MigrationsTest.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every statement the node runs on the two tables written per request reads a range of an index or of the primary key
 * (SQLite's {@code EXPLAIN QUERY PLAN} on the migrated file): dropping an index, or clustering a table on another key,
 * must not turn one of them into a scan of the table.
 */
class QueryPlansTest {

  private final Vertx vertx = Vertx.vertx();
  private final Path file = Path.of(GatewayExtension.scratchDir("query-plans"), "ensemble.db");

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void everyQueryOfTheLedgerAndTheResponseIndexSearchesAnIndexNeverScansATable() throws Exception {
    Database db = Database.open(vertx, file);
    await(Migrations.bundled().apply(db.pool()));
    await(db.close());

    List<String> ledger = new ArrayList<>(List.of(SqliteClients.SPENT_SINCE, SqliteUsage.sql(List.of())));
    for (UsageGroup group : UsageGroup.values()) {
      ledger.add(SqliteUsage.sql(List.of(group)));
    }
    ledger.add(SqliteUsage.sql(List.of(UsageGroup.values())));
    ledger.add("SELECT 1 FROM usage_ledger WHERE request_id = ?"); // what INSERT OR IGNORE looks up per row
    List<String> index = List.of(SqliteResponseIndex.FIND, SqliteResponseIndex.STORE_KEY, SqliteResponseIndex.DELETE,
        SqliteResponseIndex.DELETE_BEFORE, SqliteResponseIndex.existingSql(3));

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      for (String sql : ledger) {
        String plan = plan(c, sql);
        assertTrue(plan.contains("SEARCH usage_ledger USING INDEX usage_ledger_finished_at (finished_at>?")
            || plan.contains("SEARCH usage_ledger USING PRIMARY KEY (request_id=?)"), sql + "\n" + plan);
        assertTrue(!plan.contains("SCAN usage_ledger"), sql + "\n" + plan);
      }
      for (String sql : index) {
        String plan = plan(c, sql);
        assertTrue(plan.contains("SEARCH responses USING PRIMARY KEY (id"), sql + "\n" + plan);
        assertTrue(!plan.contains("SCAN responses"), sql + "\n" + plan);
      }
    }
  }

  private static String plan(Connection c, String sql) throws Exception {
    StringBuilder out = new StringBuilder();
    try (ResultSet rs = c.createStatement().executeQuery("EXPLAIN QUERY PLAN " + sql)) {
      while (rs.next()) {
        out.append(rs.getString("detail")).append('\n');
      }
    }
    return out.toString();
  }
}
