package dev.ensemble.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The responses this node is producing right now, by request id: each {@link ChatExchange} registers its
 * journal when it starts and removes it once the answer is persisted (or failed without one), so the map holds
 * only in-flight requests. {@code /api/v1/responses/{id}} and {@code /events} look here before the store.
 * An in-JVM map rather than an event-bus address per request: registering and removing an entry is one
 * concurrent-map write each, and appending an event costs nothing while nobody follows it.
 */
public final class LiveResponses {

  private final Map<String, ResponseJournal> journals = new ConcurrentHashMap<>();

  void register(String id, ResponseJournal journal) {
    journals.put(id, journal);
  }

  ResponseJournal find(String id) {
    return id == null ? null : journals.get(id);
  }

  void remove(String id, ResponseJournal journal) {
    journals.remove(id, journal);
  }

  /** How many responses are in flight on this node. */
  public int size() {
    return journals.size();
  }
}
