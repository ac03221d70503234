package dev.ensemble.ingress;

import dev.ensemble.persistence.InflightJournal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The responses this node is producing right now, by request id: each {@link ChatExchange} registers its
 * journal when it starts and removes it once the answer is persisted (or failed without one), so the map holds
 * only in-flight requests. {@code /api/v1/responses/{id}} and {@code /events} look here before the store.
 * An in-JVM map rather than an event-bus address per request: registering and removing an entry is one
 * concurrent-map write each, and appending an event costs nothing while nobody follows it.
 *
 * <p>It also bounds the answers waiting for the response store. The store takes them one at a time on the
 * persistence worker; a node answering faster than the store writes would hold every waiting answer in memory
 * until it ran out. At most {@code responses.max_pending} wait: past that, an answer its client received whole is
 * not stored (counted in {@link #unstored()}); one whose client left before the end is always stored — that is
 * the answer the store exists for. Shared by every event loop: a concurrent map and atomic counters.
 */
public final class LiveResponses {

  private final Map<String, ResponseJournal> journals = new ConcurrentHashMap<>();
  private final AtomicInteger awaitingStore = new AtomicInteger();
  private final LongAdder unstored = new LongAdder();
  private final int maxAwaitingStore;
  private final InflightJournal crashJournal;

  /** @param maxAwaitingStore {@code responses.max_pending} */
  public LiveResponses(int maxAwaitingStore) {
    this(maxAwaitingStore, InflightJournal.disabled());
  }

  /**
   * @param maxAwaitingStore {@code responses.max_pending}
   * @param crashJournal     where every response in flight is journalled until it is persisted (thread-safe, never blocks)
   */
  public LiveResponses(int maxAwaitingStore, InflightJournal crashJournal) {
    this.maxAwaitingStore = maxAwaitingStore;
    this.crashJournal = crashJournal;
  }

  InflightJournal crashJournal() {
    return crashJournal;
  }

  void register(String id, ResponseJournal journal) {
    journals.put(id, journal);
  }

  ResponseJournal find(String id) {
    return id == null ? null : journals.get(id);
  }

  void remove(String id, ResponseJournal journal) {
    journals.remove(id, journal);
  }

  /** Ends every response in flight with {@code error} (each on its own event loop): the node's drain deadline passed. */
  public void abortAll(dev.ensemble.model.GatewayError error) {
    journals.values().forEach(journal -> journal.abort(error));
  }

  /** How many responses are in flight on this node. */
  public int size() {
    return journals.size();
  }

  /**
   * Reserves a place in the store's queue for a finished answer; false when the queue is full and the answer
   * is {@code optional} (its client received it whole): it is then not stored. Release with {@link #stored()}.
   */
  boolean awaitStore(boolean optional) {
    if (awaitingStore.incrementAndGet() > maxAwaitingStore && optional) {
      awaitingStore.decrementAndGet();
      unstored.increment();
      return false;
    }
    return true;
  }

  /** The store has taken (or failed) an answer reserved with {@link #awaitStore}. */
  void stored() {
    awaitingStore.decrementAndGet();
  }

  /** Answers waiting for the response store now. */
  public int awaitingStore() {
    return awaitingStore.get();
  }

  /** Answers not stored because the store's queue was full when they finished. */
  public long unstored() {
    return unstored.sum();
  }
}
