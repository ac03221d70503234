package dev.ensemble.persistence.sqlite;

import dev.ensemble.clients.Client;
import dev.ensemble.clients.OnDisconnect;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code clients} table (key hashes only) and each client's spend from {@code usage_ledger}. Writes run in
 * explicit transactions: a pooled connection's auto-commit cannot be relied on after another transaction.
 */
public final class SqliteClients {

  private final Pool pool;

  public SqliteClients(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> insert(Client c) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO clients (id, name, key_hash, monthly_budget_usd, rpm_limit, on_disconnect, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .execute(Tuple.tuple().addValue(c.id()).addValue(c.name()).addValue(c.keyHash())
            .addValue(c.monthlyBudgetUsd() == null ? null : c.monthlyBudgetUsd().toPlainString()).addValue(c.rpmLimit())
            .addValue(c.onDisconnect().wireName()).addValue(c.createdAtMillis())))
        .mapEmpty();
  }

  /** True when a client was removed. */
  public Future<Boolean> delete(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM clients WHERE id = ?").execute(Tuple.of(id)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Every client, oldest first. */
  public Future<List<Client>> all() {
    return pool.query("SELECT id, name, key_hash, monthly_budget_usd, rpm_limit, on_disconnect, created_at FROM clients"
        + " ORDER BY created_at, id").execute().map(rows -> {
          List<Client> out = new ArrayList<>();
          for (Row r : rows) {
            String budget = r.getString(3);
            Object rpm = r.getValue(4);
            out.add(new Client(r.getString(0), r.getString(1), r.getString(2), budget == null ? null : new BigDecimal(budget),
                rpm == null ? null : ((Number) rpm).intValue(), OnDisconnect.of(r.getString(5)).orElse(OnDisconnect.CONTINUE),
                ((Number) r.getValue(6)).longValue()));
          }
          return out;
        });
  }

  /** Cost per client id (10^-10 USD, as stored) of the ledger rows finished at or after {@code since}. */
  public Future<Map<String, Long>> spentSince(Instant since) {
    return pool.preparedQuery("SELECT client_id, COALESCE(SUM(cost_e10_usd), 0) FROM usage_ledger"
            + " WHERE client_id IS NOT NULL AND finished_at >= ? GROUP BY client_id")
        .execute(Tuple.of(since.toEpochMilli())).map(rows -> {
          Map<String, Long> out = new HashMap<>();
          for (Row r : rows) {
            out.put(r.getString(0), ((Number) r.getValue(1)).longValue());
          }
          return out;
        });
  }
}
