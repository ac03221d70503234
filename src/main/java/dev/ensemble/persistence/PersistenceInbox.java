package dev.ensemble.persistence;

import io.vertx.core.Future;

/**
 * What the request path hands to persistence without an event-bus hop: the usage-ledger rows ({@link LedgerQueue})
 * and the finished responses ({@link ResponseInbox}). The node builds one and gives it to the
 * {@link PersistenceVerticle} (the taker) and to ingress (the offering event loops). Neither call blocks or does
 * I/O on the caller; neither wakes the persistence worker before the caller's current event-loop task is over.
 */
public final class PersistenceInbox {

  private final LedgerQueue ledger;
  private final ResponseInbox responses = new ResponseInbox();

  /** The node's inbox: a ledger queue of {@link LedgerWriter#DEFAULT_CAPACITY} rows. */
  public PersistenceInbox() {
    this(new LedgerQueue());
  }

  public PersistenceInbox(LedgerQueue ledger) {
    this.ledger = ledger;
  }

  /**
   * Queues the request's ledger row: written with the next batch, and seen by every usage query asked after this
   * call (the query flushes the queue first).
   */
  public void ledger(LedgerEntry row) {
    ledger.offer(row);
  }

  /**
   * Queues a finished response for the store; the future completes on the caller's context once it is stored and
   * indexed, or fails (logged by the persistence verticle) when it could not be.
   */
  public Future<Void> store(ResponseRecord record) {
    return responses.offer(record);
  }

  LedgerQueue ledgerQueue() {
    return ledger;
  }

  ResponseInbox responses() {
    return responses;
  }
}
