package dev.ensemble.persistence;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.ResponsesConfig;
import dev.ensemble.persistence.sqlite.SqliteResponseIndex;
import dev.ensemble.persistence.sqlite.Database;
import dev.ensemble.persistence.sqlite.Migrations;
import dev.ensemble.persistence.sqlite.SqliteClients;
import dev.ensemble.model.SharedEntry;
import dev.ensemble.persistence.sqlite.SqliteLedger;
import dev.ensemble.persistence.sqlite.SqliteSharedEntries;
import dev.ensemble.persistence.sqlite.SqliteUsage;
import dev.ensemble.persistence.sqlite.SqliteWriter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The persistence actor, deployed as a worker: the only code that uses the response store (the local segment files,
 * which the store's own writer thread appends to, or S3 through the SDK's async client; opened at start, closed at
 * stop) and the SQLite file. At start it opens the file, applies due schema migrations and replays what the ledger
 * spilled. Finished responses arrive in the node's {@link PersistenceInbox} (and on
 * {@link Addresses#PERSIST_RESPONSE}, which queues them there): one wake-up takes every record queued (while records
 * keep coming, at most every 5 ms, or every 20 ms once they come fast: {@link GatherWindow}), writes them to the store
 * together, indexes them in the {@code responses} table with the keys the store answered (their segment positions) in
 * one transaction, together with the ledger rows queued by then, then completes each record's future on the event loop
 * that offered it (failed, and logged, if it could not be stored). The gathering timer and the time of the last batch
 * are this verticle's, touched only on its context. Reads are answered on {@link Addresses#PERSIST_RESPONSE_GET} with
 * the stored JSON, or failure 404 when the index has no such id (the store is not asked then, unless it is shared by
 * the fleet: S3 holds what other nodes wrote). Ledger rows wait in the inbox's {@link LedgerQueue} (or arrive on
 * {@link Addresses#PERSIST_LEDGER}) and are written in batches by the {@link LedgerWriter}; usage questions are
 * answered on {@link Addresses#PERSIST_USAGE}, the state on {@link Addresses#PERSIST_STATUS}. A background response's
 * final record replaces its {@code in_progress} one on {@link Addresses#PERSIST_RESPONSE_SETTLE} at most once
 * (compare-and-set on the stored status; ids being settled are held in {@code settling}). The spend of gateway clients
 * is seeded by its {@link ClientTable}. Ledger batches and index rows are written on this worker through its own
 * {@link SqliteWriter} connection (one blocking call per batch); everything else in SQLite goes through the
 * {@link Database}'s pool. The fleet's shared entries (clients, admin-added provider keys as ciphertext only) are
 * listed on {@link Addresses#PERSIST_ENTRIES_LIST} and written, newest version winning, on
 * {@link Addresses#PERSIST_ENTRY_PUT}.
 */
public final class PersistenceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);
  static final String SPILL_FILE = "ledger-spill.jsonl";
  /** Recovered responses stored at once. */
  private static final int RECOVERY_BATCH = 512;
  /** Records taken from the inbox per wake-up at most (the rest in the next). */
  private static final int INBOX_BATCH = 1024;

  private final ResponsesConfig responses;
  private final Path sqlitePath;
  private final InflightJournal journal;
  private final PersistenceInbox inbox;
  private ResponseStore store;
  private SqliteResponseIndex index;
  private final Set<Future<Void>> saving = new HashSet<>();
  /** Ids of background responses whose final record is being stored; touched only on this verticle's context. */
  private final Set<String> settling = new HashSet<>();
  private Database database;
  /** The verticle's own connection for ledger and index batches; used only on this verticle's worker context. */
  private SqliteWriter writer;
  private SqliteLedger ledgerTable;
  private LedgerWriter ledger;
  /**
   * While records keep coming, the inbox is taken at most once per gathering interval: a record offered sooner after
   * the last batch waits for the rest of the interval with those that follow it, so the store's write, the index
   * transaction (its commit syncs the WAL) and the worker's wake-up are shared by many records, not paid by each.
   */
  private final GatherWindow window = new GatherWindow();
  /** When the inbox was last taken, and the timer that takes it at the end of the gathering interval (-1: none). */
  private long lastTakenNanos = System.nanoTime() - GatherWindow.BUSY_MS * 1_000_000;
  private long gatherTimer = -1;
  private JsonObject schema = new JsonObject();

  /** A persistence actor without a crash journal (nothing recovered, nothing journalled). */
  public PersistenceVerticle(ResponsesConfig responses, Path sqlitePath) {
    this(responses, sqlitePath, InflightJournal.disabled());
  }

  /**
   * @param journal the node's crash journal: at start the responses its folder's orphaned files left open are
   *                persisted as interrupted, then it is opened for this node; it is closed at stop
   */
  public PersistenceVerticle(ResponsesConfig responses, Path sqlitePath, InflightJournal journal) {
    this(responses, sqlitePath, journal, new PersistenceInbox());
  }

  /** @param inbox where the request path leaves ledger rows and finished responses (the node's, shared with ingress) */
  public PersistenceVerticle(ResponsesConfig responses, Path sqlitePath, InflightJournal journal, PersistenceInbox inbox) {
    this.responses = responses;
    this.sqlitePath = sqlitePath;
    this.journal = journal;
    this.inbox = inbox;
  }

  @Override
  public Future<?> start() {
    try {
      database = Database.open(vertx, sqlitePath);
    } catch (IOException e) {
      return Future.failedFuture(new IOException("cannot create the folder of storage.sqlite_path " + sqlitePath + ": " + e, e));
    }
    try {
      store = ResponseStores.open(responses, context);
    } catch (RuntimeException e) {
      database.close();
      return Future.failedFuture(new IllegalStateException("cannot open the response store (responses.store: "
          + responses.store().name().toLowerCase(java.util.Locale.ROOT) + "): " + e.getMessage(), e));
    }
    Migrations migrations = Migrations.bundled();
    SqliteUsage usage = new SqliteUsage(database.pool());
    return migrations.apply(database.pool())
        .compose(applied -> {
          applied.forEach(m -> LOG.info("applied schema migration {} to {}", m.name(), database.file()));
          return database.journalMode().map(mode -> schema = new JsonObject().put("schema_version", migrations.latestVersion())
              .put("journal_mode", mode));
        })
        .compose(v -> openWriter())
        .compose(v -> ledger.start())
        .compose(v -> recoverInterrupted())
        .compose(v -> {
          try {
            journal.open();
            return Future.<Void>succeededFuture();
          } catch (IOException e) {
            return Future.<Void>failedFuture(new IOException("cannot open the in-flight journal in " + journal.dir() + ": " + e, e));
          }
        })
        .compose(v -> new ClientTable(vertx, new SqliteClients(database.pool()), java.time.Clock.systemUTC()).start())
        .compose(v -> registerConsumers(usage))
        .onSuccess(v -> inbox.responses().open(() -> context.runOnContext(x -> storeQueued())))
        .onSuccess(v -> expireIndexRows())
        .compose(v -> {
          try {
            return registerEntryConsumers(new SqliteSharedEntries(database.pool(), writer));
          } catch (java.sql.SQLException e) {
            return Future.failedFuture(e);
          }
        })
        .onFailure(err -> store.close().eventually(() -> {
          closeWriter();
          return database.close();
        }));
  }

  /**
   * The verticle's own connection for the hot writes (ledger batches, index rows), once the schema is migrated:
   * each batch is then one blocking call on this worker instead of hops through the pool's threads.
   */
  private Future<Void> openWriter() {
    try {
      writer = SqliteWriter.open(database);
      index = new SqliteResponseIndex(database.pool(), writer);
      ledgerTable = new SqliteLedger(writer);
      ledger = new LedgerWriter(vertx, ledgerTable, database.file().resolveSibling(SPILL_FILE),
          inbox.ledgerQueue(), LedgerWriter.DEFAULT_FLUSH_INTERVAL_MS, journal::ledgerWritten);
      return Future.succeededFuture();
    } catch (java.sql.SQLException e) {
      return Future.failedFuture(new IllegalStateException("cannot open " + database.file() + " for writing: " + e.getMessage(), e));
    }
  }

  private void closeWriter() {
    if (writer != null) {
      try {
        writer.close();
      } catch (java.sql.SQLException e) {
        LOG.warn("could not close the SQLite writer connection: {}", e.toString());
      }
      writer = null;
    }
  }

  /**
   * The responses a crashed node left in flight ({@link JournalRecovery}): each is stored failed ({@code interrupted})
   * and indexed, 512 at a time (the index commits them together), its ledger row queued; the ledger is flushed, then the orphaned journal files deleted.
   */
  private Future<Void> recoverInterrupted() {
    long startNanos = System.nanoTime();
    JournalRecovery recovery;
    try {
      recovery = JournalRecovery.scan(journal.dir(), java.time.Instant.now());
    } catch (IOException e) {
      return Future.failedFuture(new IOException("cannot read the in-flight journal in " + journal.dir() + ": " + e, e));
    }
    List<JournalRecovery.Interrupted> all = recovery.interrupted();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < all.size(); i += RECOVERY_BATCH) {
      List<JournalRecovery.Interrupted> batch = all.subList(i, Math.min(all.size(), i + RECOVERY_BATCH));
      chain = chain.compose(v -> storeInterrupted(batch));
    }
    return chain.compose(v -> ledger.flush()).compose(v -> {
      try {
        recovery.delete();
      } catch (IOException e) {
        LOG.warn("could not delete recovered journal files: {}", e.toString());
      }
      if (!all.isEmpty() || recovery.skipped() > 0) {
        LOG.warn("recovered in {} ms: {}", (System.nanoTime() - startNanos) / 1_000_000, recovery.summary());
      }
      return Future.<Void>succeededFuture();
    }).onFailure(err -> recovery.close());
  }

  /**
   * An interrupted response is stored unless this node already stored it (its end record did not reach the journal
   * before the node stopped): a stored answer is never replaced. Its ledger row, when the journal does not show it
   * committed, is offered; the ledger ignores a request id it already has (committed after the journal's last word).
   * The index is asked once for the whole batch.
   */
  private Future<Void> storeInterrupted(List<JournalRecovery.Interrupted> batch) {
    List<ResponseRecord> records = new java.util.ArrayList<>(batch.size());
    for (JournalRecovery.Interrupted it : batch) {
      if (it.ledger() != null) {
        ledger.offer(it.ledger());
      }
      if (it.response() != null && ResponseKeys.valid(it.response().id())) {
        records.add(it.response());
      }
    }
    return index.existing(records.stream().map(ResponseRecord::id).distinct().toList()).compose(stored -> {
      List<ResponseRecord> missing = records.stream().filter(record -> !stored.contains(record.id())).toList();
      List<Future<String>> keys = missing.stream().map(store::save).toList();
      return Future.all(keys).compose(saved -> {
        List<ResponseIndexRow> rows = new java.util.ArrayList<>(missing.size());
        for (int i = 0; i < missing.size(); i++) {
          rows.add(ResponseIndexRow.of(missing.get(i), keys.get(i).result()));
        }
        return index.putAll(rows);
      });
    });
  }

  /**
   * With {@code responses.retention_days} and the local store, the index rows of responses whose day the store
   * expired are removed too, at start and hourly (the store removes the day folders on its writer thread).
   */
  private void expireIndexRows() {
    if (responses.retentionDays() <= 0 || store.shared()) {
      return;
    }
    Runnable expire = () -> {
      long cutoffDay = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toEpochDay() - responses.retentionDays();
      index.deleteCreatedBefore(cutoffDay * 86_400_000L).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("could not remove the index rows of expired responses: {}", ar.cause().toString());
        } else if (ar.result() > 0) {
          LOG.info("removed {} index rows of expired responses (responses.retention_days: {})", ar.result(), responses.retentionDays());
        }
      });
    };
    expire.run();
    vertx.setPeriodic(3_600_000, id -> expire.run());
  }

  /**
   * One wake-up of the inbox: every record queued (up to {@link #INBOX_BATCH}; a further wake-up for the rest) is
   * written to the store together, then indexed in one transaction (with the ledger rows queued by then), then each
   * one's future completed. A wake-up within the gathering interval ({@link GatherWindow}) of the last batch waits for
   * the rest of it first (a timer; the inbox wakes no one meanwhile).
   */
  private void storeQueued() {
    if (gatherTimer >= 0) {
      return;
    }
    long sinceLast = System.nanoTime() - lastTakenNanos;
    long waitMs = window.millis() - sinceLast / 1_000_000;
    if (waitMs > 0) {
      gatherTimer = vertx.setTimer(waitMs, t -> {
        gatherTimer = -1;
        takeQueued();
      });
      return;
    }
    takeQueued();
  }

  private void takeQueued() {
    lastTakenNanos = System.nanoTime();
    ResponseInbox queued = inbox.responses();
    List<ResponseInbox.Pending> batch = queued.take(INBOX_BATCH);
    window.taken(batch.size());
    if (batch.size() == INBOX_BATCH && !queued.isEmpty()) {
      context.runOnContext(v -> takeQueued()); // a backlog: the rest at once (a record offered since woke the worker anyway)
    }
    if (!batch.isEmpty()) {
      Future<Void> saved = storeBatch(batch);
      saving.add(saved);
      saved.onComplete(ar -> saving.remove(saved));
    }
  }

  private Future<Void> storeBatch(List<ResponseInbox.Pending> batch) {
    int n = batch.size();
    List<Future<String>> keys = new java.util.ArrayList<>(n);
    for (ResponseInbox.Pending p : batch) {
      keys.add(ResponseKeys.valid(p.record().id()) ? store.save(p.record()) : Future.failedFuture("invalid response id"));
    }
    return Future.join(keys).transform(joined -> {
      Throwable[] failures = new Throwable[n];
      List<ResponseIndexRow> rows = new java.util.ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Future<String> key = keys.get(i);
        if (key.succeeded()) {
          rows.add(ResponseIndexRow.of(batch.get(i).record(), key.result()));
        } else {
          failures[i] = key.cause();
        }
      }
      return indexWithLedger(rows).transform(indexed -> {
        for (int i = 0; i < n; i++) {
          if (failures[i] == null && indexed.failed()) {
            failures[i] = indexed.cause();
          }
          if (failures[i] != null) {
            LOG.error("could not persist response {}: {}", batch.get(i).record().id(), failures[i].toString());
          }
        }
        ResponseInbox.complete(batch, failures);
        return Future.<Void>succeededFuture();
      });
    });
  }

  /**
   * The batch's index rows and the ledger rows queued now in one transaction. If it fails, each goes on its own: the
   * ledger rows through the ledger writer (spilled if refused again), the index rows in a transaction of theirs.
   */
  private Future<Void> indexWithLedger(List<ResponseIndexRow> rows) {
    List<LedgerEntry> billed = ledger.takeForSharedCommit();
    if (billed.isEmpty()) {
      return index.putAll(rows);
    }
    try {
      writer.writeAll(List.of(index.batch(rows), ledgerTable.batch(billed)));
      ledger.committedWith(billed);
      return Future.succeededFuture();
    } catch (java.sql.SQLException | RuntimeException e) {
      LOG.warn("could not write {} index rows with {} ledger rows in one transaction, writing them apart: {}", rows.size(),
          billed.size(), e.toString());
      ledger.insertApart(billed);
      return index.putAll(rows);
    }
  }

  /**
   * The inbox is closed and what it still holds stored; responses being written are finished, then the ledger is
   * flushed, then the store and the file are closed.
   */
  @Override
  public Future<?> stop() {
    inbox.responses().close();
    if (gatherTimer >= 0) {
      vertx.cancelTimer(gatherTimer);
      gatherTimer = -1;
    }
    if (index != null) {
      for (int i = 0; i < 1_000_000 && !inbox.responses().isEmpty(); i++) {
        takeQueued();
      }
    }
    Future<Void> stored = Future.join(List.copyOf(saving)).<Void>transform(ar -> Future.succeededFuture())
        // then the journal: what is still open stays in its file, which the next start recovers
        .andThen(ar -> journal.close());
    Future<Void> flushed = stored.transform(ar -> ledger == null ? Future.succeededFuture() : ledger.stop());
    return flushed.eventually(() -> store == null ? Future.succeededFuture() : store.close())
        .eventually(() -> {
          closeWriter();
          return database == null ? Future.succeededFuture() : database.close();
        });
  }

  /** The fleet's shared entries (clients, admin-added provider keys as ciphertext only), versioned. */
  private Future<Void> registerEntryConsumers(SqliteSharedEntries entries) {
    var bus = vertx.eventBus();
    bus.<JsonObject>localConsumer(Addresses.PERSIST_ENTRY_PUT, msg -> entries.putIfNewer(SharedEntry.fromJson(msg.body())).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        LOG.error("could not store shared entry {}: {}", msg.body().getString("id"), ar.cause().toString());
        msg.fail(500, "the shared entry could not be stored");
      }
    }));
    return bus.<Void>localConsumer(Addresses.PERSIST_ENTRIES_LIST, msg -> entries.all().onComplete(ar -> {
      if (ar.succeeded()) {
        io.vertx.core.json.JsonArray rows = new io.vertx.core.json.JsonArray();
        ar.result().forEach(e -> rows.add(e.toJson()));
        msg.reply(new JsonObject().put("entries", rows));
      } else {
        LOG.error("could not read the shared entries: {}", ar.cause().toString());
        msg.fail(500, "the shared entries could not be read");
      }
    })).completion();
  }

  private Future<Optional<ResponseRecord>> load(String id) {
    return !ResponseKeys.valid(id) ? Future.succeededFuture(Optional.empty())
        : index.find(id).compose(row -> row.isEmpty() ? (store.shared() ? store.load(id, null) : Future.succeededFuture(Optional.empty()))
            : store.load(id, row.get().storeKey()));
  }

  /**
   * Stores a background response's final record in place of its {@code in_progress} one, once: a settlement of the
   * same id already under way on this verticle, or a stored record no longer in progress, fails 409.
   */
  private Future<Void> settle(ResponseRecord record) {
    String id = record.id();
    if (!settling.add(id)) {
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "response " + id + " is being settled"));
    }
    return load(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no response " + id));
      }
      if (found.get().status() != ResponseRecord.Status.IN_PROGRESS) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "response " + id + " is settled"));
      }
      return store.save(record).compose(key -> index.put(ResponseIndexRow.of(record, key)));
    }).onComplete(ar -> settling.remove(id));
  }

  private Future<Void> registerConsumers(SqliteUsage usage) {
    var bus = vertx.eventBus();
    bus.<ResponseRecord>localConsumer(Addresses.PERSIST_RESPONSE, msg -> inbox.store(msg.body()).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(null);
      } else {
        msg.fail(500, "the response could not be stored");
      }
    }));
    bus.<ResponseRecord>localConsumer(Addresses.PERSIST_RESPONSE_SETTLE, msg -> settle(msg.body()).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(null);
      } else if (ar.cause() instanceof ReplyException r) {
        msg.fail(r.failureCode(), r.getMessage());
      } else {
        LOG.error("could not settle response {}: {}", msg.body().id(), ar.cause().toString());
        msg.fail(500, "the response could not be stored");
      }
    }));
    bus.<LedgerEntry>localConsumer(Addresses.PERSIST_LEDGER, msg -> ledger.offer(msg.body()));
    bus.<JsonObject>localConsumer(Addresses.PERSIST_USAGE, msg -> {
      UsageQuery query = UsageQuery.fromJson(msg.body());
      ledger.flush().transform(flushed -> usage.query(query)).onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          LOG.error("usage query failed: {}", ar.cause().toString());
          msg.fail(500, "the usage ledger could not be read");
        }
      });
    });
    bus.<Void>localConsumer(Addresses.PERSIST_STATUS, msg -> msg.reply(new JsonObject()
        .put("sqlite_path", database.file().toString())
        .mergeIn(schema)
        .put("ledger", ledger.stats().toJson())
        .put("response_store", store.describe())
        .put("inflight_journal", journal.stats())));
    bus.<String>localConsumer(Addresses.PERSIST_RESPONSE_DELETE, msg -> {
      String id = msg.body();
      Future<Boolean> deleted = !ResponseKeys.valid(id) ? Future.succeededFuture(false)
          : index.delete(id).compose(had -> had.isPresent() ? store.delete(id, had.get()).map(true) : Future.succeededFuture(false));
      deleted.onComplete(ar -> {
        if (ar.failed()) {
          LOG.error("could not delete response {}: {}", id, ar.cause().toString());
          msg.fail(500, "could not delete the response");
        } else if (ar.result()) {
          msg.reply(null);
        } else {
          msg.fail(404, "no response " + id);
        }
      });
    });
    return bus.<String>localConsumer(Addresses.PERSIST_RESPONSE_GET, msg -> {
      String id = msg.body();
      load(id).onComplete(ar -> {
        if (ar.failed()) {
          LOG.error("could not read response {}: {}", id, ar.cause().toString());
          msg.fail(500, "could not read the response");
        } else if (ar.result().isPresent()) {
          msg.reply(ar.result().get().toJson());
        } else {
          msg.fail(404, "no response " + id);
        }
      });
    }).completion();
  }
}
