package dev.ensemble.cache;

import io.vertx.core.Future;

/** A single node's store: the shelf is the only copy. Thread-safe as the shelf is. */
public final class LocalCacheStore implements CacheStore {

  private CacheShelf shelf;

  @Override
  public Future<Void> start(CacheShelf shelf) {
    this.shelf = shelf;
    return Future.succeededFuture();
  }

  @Override
  public void put(CachedAnswer entry) {
    shelf.put(entry);
  }

  @Override
  public void remove(String key) {
    shelf.remove(key);
  }

  @Override
  public void close() {
  }
}
