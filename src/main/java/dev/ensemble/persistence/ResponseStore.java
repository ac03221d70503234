package dev.ensemble.persistence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * Where finished responses are kept, one JSON object per response. Saving answers the key the response is
 * stored under (a segment position, a relative path or an object key), which the {@code responses} index keeps
 * and hands back to {@link #load} and {@link #delete}. Used by the persistence verticle only: the futures
 * complete on its context, and an implementation never blocks it for a network round trip.
 */
public interface ResponseStore {

  /** The id's natural key (a relative path or an object key), or empty for a malformed id (which is never stored). */
  Optional<String> keyOf(String id);

  /** Writes the record, replacing any earlier one; a reader never sees half of it. Completes with its store key. */
  Future<String> save(ResponseRecord record);

  /**
   * The stored record, or empty when there is none.
   *
   * @param storeKey the key {@link #save} answered (from the index), or null when the index has no row
   */
  Future<Optional<ResponseRecord>> load(String id, String storeKey);

  /** Removes the stored record; succeeds when there was none. {@code storeKey} as for {@link #load}. */
  Future<Void> delete(String id, String storeKey);

  /** What {@code /admin/status} shows of the store (its kind and where it writes; never a credential). */
  JsonObject describe();

  /** Whether every node of a fleet reads the same store (S3): then a response another node wrote is read here directly. */
  default boolean shared() {
    return false;
  }

  /** Writes what is queued, then releases the store's files, clients and threads. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
