package dev.ensemble.cache;

import io.vertx.core.Future;

/**
 * Where entries live and how they reach every node's {@link CacheShelf}: in process on a single node
 * ({@link LocalCacheStore}), or a Hazelcast map shared by the fleet ({@link HazelcastCacheStore}), whose entry
 * listener feeds each node's shelf. A store delivers to the shelf off the event loop (the semantic index blocks).
 */
public interface CacheStore extends AutoCloseable {

  /** Starts delivering to {@code shelf}; a joining node then loads the live entries in the background ({@link #loading}). */
  Future<Void> start(CacheShelf shelf);

  /** Whether a joining node is still loading the live entries (it serves meanwhile). */
  default boolean loading() {
    return false;
  }

  /** Stores an entry for its time to live. */
  void put(CachedAnswer entry);

  /** Removes an entry everywhere. */
  void remove(String key);

  @Override
  void close();
}
