package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.PersistenceInbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The responses this node is producing right now, by request id: each {@link ChatExchange} registers its
 * journal when it starts and removes it once the answer is persisted (or failed without one), so the map holds
 * only in-flight requests. {@code /api/v1/responses/{id}} and {@code /events} look here before the store.
 * Client requests that produce no response record (embeddings, images: {@link OperationExchange}) are counted here
 * too, by request id with the way to end them, so that a node's drain waits for them and ends them at its deadline.
 * An in-JVM map rather than an event-bus address per request: registering and removing an entry is one
 * concurrent-map write each, and appending an event costs nothing while nobody follows it.
 *
 * <p>It also bounds the answers waiting for the response store. The persistence worker takes them from the
 * {@link PersistenceInbox} in batches; a node answering faster than the store writes would hold every waiting answer in memory
 * until it ran out. At most {@code responses.max_pending} wait: past that, an answer its client received whole is
 * not stored (counted in {@link #unstored()}); one whose client left before the end is always stored — that is
 * the answer the store exists for. Shared by every event loop: a concurrent map and atomic counters.
 */
public final class LiveResponses {

  private final Map<String, ResponseJournal> journals = new ConcurrentHashMap<>();
  private final Map<String, Consumer<GatewayError>> operations = new ConcurrentHashMap<>();
  private final AtomicInteger awaitingStore = new AtomicInteger();
  private final LongAdder unstored = new LongAdder();
  private final int maxAwaitingStore;
  private final InflightJournal crashJournal;
  private final PersistenceInbox persistence;

  /** @param maxAwaitingStore {@code responses.max_pending} */
  public LiveResponses(int maxAwaitingStore) {
    this(maxAwaitingStore, InflightJournal.disabled());
  }

  /**
   * @param maxAwaitingStore {@code responses.max_pending}
   * @param crashJournal     where every response in flight is journalled until it is persisted (thread-safe, never blocks)
   */
  public LiveResponses(int maxAwaitingStore, InflightJournal crashJournal) {
    this(maxAwaitingStore, crashJournal, new PersistenceInbox());
  }

  /**
   * @param persistence where finished requests leave their ledger rows and responses (the node's, taken by the
   *                    persistence verticle; thread-safe, never blocks, wakes nobody before the current task ends)
   */
  public LiveResponses(int maxAwaitingStore, InflightJournal crashJournal, PersistenceInbox persistence) {
    this.maxAwaitingStore = maxAwaitingStore;
    this.crashJournal = crashJournal;
    this.persistence = persistence;
  }

  InflightJournal crashJournal() {
    return crashJournal;
  }

  PersistenceInbox persistence() {
    return persistence;
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

  /** An operation (embeddings, images) runs; {@code abort} ends it with an error, from any thread. */
  void registerOperation(String id, Consumer<GatewayError> abort) {
    operations.put(id, abort);
  }

  void removeOperation(String id) {
    operations.remove(id);
  }

  /**
   * Ends every response and operation in flight with {@code error} (each on its own event loop): the node's drain
   * deadline passed.
   */
  public void abortAll(GatewayError error) {
    journals.values().forEach(journal -> journal.abort(error));
    operations.values().forEach(abort -> abort.accept(error));
  }

  /** How many responses are in flight on this node. */
  public int size() {
    return journals.size();
  }

  /** How many client requests of any kind are in flight on this node: responses and operations. */
  public int requestsInFlight() {
    return journals.size() + operations.size();
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
