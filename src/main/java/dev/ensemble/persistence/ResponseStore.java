package dev.ensemble.persistence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * Where finished responses are kept, one JSON object per response under {@link #keyOf(String)}. Used by the
 * persistence verticle only, on its worker context: the futures complete on that context, and an
 * implementation may block it briefly (the local disk) but never for a network round trip.
 */
public interface ResponseStore {

  /** The key {@code id} is stored under (a relative path or an object key), or empty for a malformed id. */
  Optional<String> keyOf(String id);

  /** Writes the record, replacing any earlier one; a reader never sees half of it. */
  Future<Void> save(ResponseRecord record);

  /** The stored record, or empty when there is none. */
  Future<Optional<ResponseRecord>> load(String id);

  /** Removes the stored record; succeeds when there was none. */
  Future<Void> delete(String id);

  /** What {@code /admin/status} shows of the store (its kind and where it writes; never a credential). */
  JsonObject describe();

  /** Releases the store's clients and threads. */
  /** Whether every node of a fleet reads the same store (S3): then a response another node wrote is read here directly. */
  default boolean shared() {
    return false;
  }

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
