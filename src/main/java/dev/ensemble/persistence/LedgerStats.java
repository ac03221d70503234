package dev.ensemble.persistence;

import io.vertx.core.json.JsonObject;

/**
 * Counters of the usage-ledger pipeline since the node started. {@code queued + overflowed} rows entered it
 * ({@code overflowed}: the queue was full). {@code spilled} counts every row appended to the spill file:
 * overflowed rows, rows of batches the store refused, rows left in the queue at stop. {@code written} rows were
 * stored from the queue and {@code replayed} from the spill file. {@code lost} counts rows that could not even
 * be spilled (the spill file could not be written): it should stay 0.
 */
public record LedgerStats(long queued, long overflowed, long written, long spilled, long replayed, long failedFlushes, long lost, int pending,
    int capacity, boolean spillPending, String spillFile) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("queued", queued)
        .put("overflowed", overflowed)
        .put("written", written)
        .put("spilled", spilled)
        .put("replayed", replayed)
        .put("failed_flushes", failedFlushes)
        .put("lost", lost)
        .put("pending", pending)
        .put("capacity", capacity)
        .put("spill_pending", spillPending)
        .put("spill_file", spillFile);
  }
}
