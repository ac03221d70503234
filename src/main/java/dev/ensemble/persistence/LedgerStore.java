package dev.ensemble.persistence;

import io.vertx.core.Future;

import java.util.List;

/** Where ledger rows end up. Inserting a row whose request id is already stored changes nothing. */
public interface LedgerStore {

  /** Inserts the rows in one transaction: all of them or, on failure, none. */
  Future<Void> insert(List<LedgerEntry> rows);
}
